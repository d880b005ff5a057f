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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** {@code globallock check} leaves nothing on the server, and an unreachable backend is exit 69. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CheckCommandIT {
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
    void newTool() {
        tool = new Tool(directory, Map.of());
    }

    @AfterEach
    void killLeftovers() throws Exception {
        tool.close();
    }

    @Test
    @DisplayName("check on Redis leaves no key behind, not even the scratch lock's fencing counter")
    void checkLeavesNothingOnRedis() throws Exception {
        tool.write("redis.yaml", "engine: redis\nredis:\n  nodes: [ \"" + redis.uri() + "\" ]\n");
        try (RedisClient admin = RedisClient.create(redis.host(), redis.port())) {
            assertThat(admin.keys("*")).isEmpty();
            Tool.Result result = tool.run("check", "--config", "redis.yaml", "--rounds", "3");
            assertThat(result.exitCode).as(result.toString()).isZero();
            assertThat(result.out).contains("ok: engine 'redis' works end to end");
            Set<String> left = admin.keys("*");
            assertThat(left).as("keys left by check").isEmpty();
        }
    }

    @Test
    @DisplayName("check against an etcd endpoint where nothing listens exits 69 (unavailable), not 70")
    void unreachableBackendIsUnavailable() throws Exception {
        tool.write(
                "etcd.yaml", "engine: etcd\netcd:\n  endpoints: [ \"http://127.0.0.1:" + FreePorts.next() + "\" ]\n");
        Tool.Result result = tool.run("check", "--config", "etcd.yaml", "--rounds", "1");
        assertThat(result.exitCode).as(result.toString()).isEqualTo(69);
        assertThat(result.err.strip())
                .doesNotContain("\n")
                .doesNotContain("unexpected error")
                .contains("engine 'etcd' at http://127.0.0.1:");
    }
}
