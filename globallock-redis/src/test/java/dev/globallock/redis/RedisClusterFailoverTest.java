/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

@DisplayName("redis engine, cluster of 3 masters and 3 replicas: a master killed while locks are held and waited on")
class RedisClusterFailoverTest {
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

    private static GlobalLockManager manager() {
        return GlobalLockManager.builder()
                .config(Map.of(
                        "engine",
                        "redis",
                        "key-prefix",
                        "failover:",
                        "redis",
                        Map.of("mode", "cluster", "nodes", cluster.seedUris(), "connect-timeout", "500ms")))
                .watchdogLease(Duration.ofSeconds(15))
                .build();
    }

    /** A lock name whose slot the given master serves. */
    private static String nameOn(RedisCluster.Node master, String base) {
        for (int i = 0; ; i++) {
            String name = base + i;
            if (cluster.masterForSlot(RedisCluster.slotOf(LockKeys.of("failover:" + name).lock))
                    .equals(master)) {
                return name;
            }
        }
    }

    /** How many clients listen on a shard channel at a node ({@code PUBSUB SHARDNUMSUB}). */
    private static long shardSubscribers(RedisCluster.Node node, String channel) {
        try (Jedis jedis = new Jedis(node.host(), node.port())) {
            return jedis.pubsubShardNumSub(channel).getOrDefault(channel, 0L);
        }
    }

    @Test
    @DisplayName("held locks survive the failover, the waiter is handed the lock after it, tokens keep increasing")
    void masterKilledMidRun() throws Exception {
        RedisCluster.Node victim = cluster.masters().get(0);
        String contended = nameOn(victim, "contended-");
        try (GlobalLockManager holder = manager();
                GlobalLockManager waiter = manager()) {
            LockHandle held = holder.lock(contended);
            List<LockHandle> others = new ArrayList<>();
            for (RedisCluster.Node master : cluster.masters()) {
                others.add(holder.lock(nameOn(master, "other-")));
            }
            CompletableFuture<LockHandle> waiting = waiter.lockAsync(
                    contended, LockOptions.builder().waitForever().build());
            String channel = LockKeys.of("failover:" + contended).channel;
            Await.until(
                    Duration.ofSeconds(10),
                    () -> shardSubscribers(victim, channel) > 0,
                    () -> "the waiter to listen on " + channel + " at " + victim);
            assertThat(waiting).isNotDone();

            victim.process().kill();
            cluster.awaitFailover(victim, Duration.ofSeconds(30));

            assertThat(waiting)
                    .as("no one may take a held lock during the failover")
                    .isNotDone();
            assertThat(held.isLocked()).isTrue();
            for (LockHandle other : others) {
                assertThat(other.isLocked()).isTrue();
                other.release();
            }
            long releasedAt = System.nanoTime();
            held.release();
            LockHandle next = waiting.get(20, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - releasedAt))
                    .as("handed over by the promoted replica's shard channel")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            next.release();
            try (LockHandle again = holder.tryLock(contended)) {
                assertThat(again.isLocked()).isTrue();
            }
        }
    }
}
