/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

@DisplayName("redis engine, cluster of 3 masters and 3 replicas: the lock contract")
class RedisClusterLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static RedisCluster cluster;
    private static RedisClusterClient admin;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3, 1);
        RedisCluster.Node seed = cluster.masters().get(0);
        admin = RedisClusterClient.create(Set.of(new HostAndPort(seed.host(), seed.port())));
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of("engine", "redis", "redis", Map.of("mode", "cluster", "nodes", cluster.seedUris()));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return Map.of(
                "engine",
                "redis",
                "redis",
                Map.of(
                        "mode",
                        "cluster",
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
