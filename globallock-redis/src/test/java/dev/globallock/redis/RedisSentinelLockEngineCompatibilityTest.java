/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine, Sentinel (master, replica, 3 sentinels): the lock contract")
class RedisSentinelLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static RedisSentinel sentinel;

    @BeforeAll
    static void startSentinel() {
        sentinel = RedisSentinel.start();
    }

    @AfterAll
    static void stopSentinel() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of(
                "engine",
                "redis",
                "redis",
                Map.of("mode", "sentinel", "nodes", sentinel.sentinelUris(), "master-name", sentinel.masterName()));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return Map.of(
                "engine",
                "redis",
                "redis",
                Map.of(
                        "mode",
                        "sentinel",
                        "master-name",
                        "mymaster",
                        "nodes",
                        List.of("redis://127.0.0.1:" + FreePorts.next()),
                        "connect-timeout",
                        "500ms",
                        "command-timeout",
                        "500ms"));
    }

    @Override
    protected void forgetOnBackend(String key) {
        RedisServer master = sentinel.currentMaster();
        try (RedisClient client = RedisClient.create(master.host(), master.port())) {
            client.del(LockKeys.of(key).lock);
        }
    }
}
