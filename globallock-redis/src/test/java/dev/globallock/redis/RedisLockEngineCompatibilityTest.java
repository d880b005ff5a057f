/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine, single server: the lock contract")
class RedisLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static RedisServer redis;
    private static RedisClient admin;

    @BeforeAll
    static void startServer() {
        redis = RedisServer.start();
        admin = RedisClient.create(redis.host(), redis.port());
    }

    @AfterAll
    static void stopServer() {
        admin.close();
        redis.close();
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of("engine", "redis", "redis", Map.of("nodes", List.of(redis.uri())));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return Map.of(
                "engine",
                "redis",
                "redis",
                Map.of(
                        "nodes",
                        List.of("redis://127.0.0.1:" + FreePorts.next()),
                        "connect-timeout",
                        "500ms",
                        "command-timeout",
                        "500ms"));
    }

    @Override
    protected void forgetOnBackend(String key) {
        admin.del(LockKeys.of(key).lock);
    }
}
