/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engines' client libraries (Jedis, jetcd with gRPC and Netty, Curator and ZooKeeper) log
 * through SLF4J; the tool bundles an SLF4J 2 provider that is silent unless {@code --verbose}, so
 * stderr carries globallock's own lines only, and never SLF4J's notes about missing providers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LibraryLoggingIsQuietIT {
    private static RedisServer redis;

    @TempDir
    Path directory;

    private Tool tool;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void newTool() throws Exception {
        tool = new Tool(directory, Map.of());
        tool.write(
                "all.yaml",
                "engine: redis\nredis:\n  nodes: [ \"" + redis.uri() + "\" ]\n"
                        + "etcd:\n  endpoints: [ \"http://127.0.0.1:" + FreePorts.next() + "\" ]\n"
                        + "zookeeper:\n  connect-string: \"127.0.0.1:" + FreePorts.next() + "\"\n"
                        + "  connection-timeout: 2s\n");
    }

    @AfterEach
    void killLeftovers() throws Exception {
        tool.close();
    }

    @Test
    @DisplayName("every engine's client starts and nothing but globallock's output reaches stderr")
    void nothingOnStderr() throws Exception {
        Tool.Result check = tool.run("check", "--config", "all.yaml", "--rounds", "2");
        assertThat(check.exitCode).as(check.toString()).isZero();
        assertThat(check.err).as(check.toString()).isEmpty();

        Tool.Result engines = tool.run("engines", "--config", "all.yaml");
        assertThat(engines.exitCode).as(engines.toString()).isZero();
        assertThat(engines.out).contains("redis  (configured)", "etcd", "zookeeper");
        assertThat(engines.err).as(engines.toString()).isEmpty();
    }

    @Test
    @DisplayName("with --verbose the libraries log, and SLF4J itself prints no warning")
    void noSlf4jWarningWhenVerbose() throws Exception {
        Tool.Result check = tool.run("--verbose", "check", "--config", "all.yaml", "--rounds", "2");
        assertThat(check.exitCode).as(check.toString()).isZero();
        assertThat(check.err.lines()).as(check.toString()).noneMatch(line -> line.startsWith("SLF4J"));
    }
}
