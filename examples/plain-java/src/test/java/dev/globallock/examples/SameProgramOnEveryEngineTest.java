/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same compiled program ({@link NightlyReport}) run as a process with each of config/*.yaml: the
 * configuration alone picks the engine. Real servers come from the tck's fixtures; the YAML files
 * take their addresses from the environment ({@code ${REDIS_URL:-...}}).
 */
class SameProgramOnEveryEngineTest {
    private static final Path CONFIG = Path.of("config");
    private static final Pattern OUTPUT = Pattern.compile("(\\w+): nightly-report held, fencing token (\\d+)\\R?");

    @TempDir
    Path scratch;

    @Test
    void memory() throws Exception {
        assertThat(run("memory.yaml", Map.of()).engine).isEqualTo("memory");
    }

    @Test
    void fileKeepsItsTokensIncreasingFromRunToRun() throws Exception {
        Map<String, String> env = Map.of("LOCK_DIR", scratch.resolve("locks").toString());
        Run first = run("file.yaml", env);
        Run second = run("file.yaml", env);
        assertThat(first.engine).isEqualTo("file");
        assertThat(second.token).isGreaterThan(first.token);
        assertThat(Files.list(scratch.resolve("locks")).count()).isEqualTo(1);
    }

    @Test
    void redis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(run("redis.yaml", Map.of("REDIS_URL", redis.uri())).engine)
                    .isEqualTo("redis");
        }
    }

    @Test
    void etcd() throws Exception {
        try (EtcdServer etcd = EtcdServer.start()) {
            assertThat(run("etcd.yaml", Map.of("ETCD_URL", etcd.endpoint())).engine)
                    .isEqualTo("etcd");
        }
    }

    @Test
    void zookeeper() throws Exception {
        try (ZooKeeperServer zookeeper = ZooKeeperServer.start()) {
            assertThat(run("zookeeper.yaml", Map.of("ZOOKEEPER", zookeeper.connectString())).engine)
                    .isEqualTo("zookeeper");
        }
    }

    private record Run(String engine, long token) {}

    private Run run(String config, Map<String, String> env) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        NightlyReport.class.getName(),
                        CONFIG.resolve(config).toString()))
                .redirectOutput(scratch.resolve(config + ".out").toFile())
                .redirectError(scratch.resolve(config + ".err").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        String output = Files.readString(scratch.resolve(config + ".out"), StandardCharsets.UTF_8);
        String errors = Files.readString(scratch.resolve(config + ".err"), StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("exit code; output:%n%s%nerrors:%n%s", output, errors)
                .isZero();
        Matcher matcher = OUTPUT.matcher(output);
        assertThat(matcher.matches())
                .as("output:%n%s%nerrors:%n%s", output, errors)
                .isTrue();
        return new Run(matcher.group(1), Long.parseLong(matcher.group(2)));
    }
}
