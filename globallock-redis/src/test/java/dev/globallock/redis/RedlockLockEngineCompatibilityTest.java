/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine, Redlock over 5 independent servers: the lock contract")
class RedlockLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static RedisServers servers;

    @BeforeAll
    static void startServers() {
        servers = RedisServers.start(5);
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of("engine", "redis", "redis", Map.of("mode", "redlock", "nodes", servers.uris()));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return Map.of(
                "engine",
                "redis",
                "redis",
                Map.of(
                        "mode",
                        "redlock",
                        "nodes",
                        List.of(
                                "redis://127.0.0.1:" + FreePorts.next(),
                                "redis://127.0.0.1:" + FreePorts.next(),
                                "redis://127.0.0.1:" + FreePorts.next()),
                        "connect-timeout",
                        "500ms",
                        "command-timeout",
                        "500ms"));
    }

    @Override
    protected void forgetOnBackend(String key) {
        for (RedisServer server : servers.servers()) {
            try (RedisClient client = RedisClient.create(server.host(), server.port())) {
                client.del(LockKeys.of(key).lock);
            }
        }
    }
}
