/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.RateLimiter;
import dev.globallock.tck.fixture.RedisCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

@DisplayName("redis engine, cluster of 3 masters and 3 replicas: a rate limiter across a master's failover")
class RedisRateLimiterFailoverTest {
    private static final String PREFIX = "rate-failover:";
    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3, 1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A limiter name whose slot the given master serves. */
    private static String nameOn(RedisCluster.Node master, String base) {
        for (int i = 0; ; i++) {
            String name = base + i;
            String key = RedisRateLimiter.keyOf(PREFIX + name, RateLimiter.Algorithm.EXACT);
            if (cluster.masterForSlot(RedisCluster.slotOf(key)).equals(master)) {
                return name;
            }
        }
    }

    @Test
    @DisplayName(
            "the promoted replica keeps the log it received: the full limiter stays full, others on the slot admit")
    void masterKilled() {
        RedisCluster.Node victim = cluster.masters().get(0);
        String full = nameOn(victim, "full-");
        String fresh = nameOn(victim, "fresh-");
        try (GlobalLockManager manager = GlobalLockManager.builder()
                .config(Map.of(
                        "engine",
                        "redis",
                        "key-prefix",
                        PREFIX,
                        "redis",
                        Map.of("mode", "cluster", "nodes", cluster.seedUris(), "connect-timeout", "500ms")))
                .build()) {
            RateLimiter limiter = manager.rateLimiter(full, 3, Duration.ofMinutes(10));
            assertThat(limiter.tryAcquire(3)).isTrue();
            assertThat(limiter.tryAcquire()).isFalse();
            // a write on the same master after the limiter's, acknowledged by its replica: the log was replicated
            try (Jedis jedis = new Jedis(victim.host(), victim.port())) {
                String probe = RedisRateLimiter.keyOf(PREFIX + full, RateLimiter.Algorithm.EXACT) + ":probe";
                jedis.set(probe, "x");
                assertThat(jedis.waitReplicas(1, 5_000)).isEqualTo(1);
            }

            victim.process().kill();
            cluster.awaitFailover(victim, Duration.ofSeconds(30));

            assertThat(limiter.tryAcquire())
                    .as(
                            "the first call after the failover reaches the new master (after the old one's connection broke)"
                                    + " and finds the log the replica had")
                    .isFalse();
            assertThat(limiter.availablePermits()).isZero();
            assertThat(manager.rateLimiter(fresh, 3, Duration.ofMinutes(10)).tryAcquire(3))
                    .as("another limiter on the failed-over slot")
                    .isTrue();
        }
    }
}
