/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisCluster;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * An acquisition that may wait treats a master's failover as a passing outage: its attempts back off
 * and try again (woken by the new master's pub/sub when it is there) until the wait ends, instead of
 * failing at once with the dead master's "Failed to connect". The lock is held at the kill by a
 * client that is gone (a key set by hand with a 3 s lease, copied to the replica), so every waiter
 * gets it only after the promotion: the waiters queued before the kill, and those that start
 * during the failover (whose first attempt meets the dead master).
 */
@DisplayName("redis engine: an acquisition that may wait rides through a failover")
class RedisWaitRidesThroughFailoverTest {
    private static final String PREFIX = "ride:";
    private static final LockOptions WAIT_15S =
            LockOptions.builder().waitTime(Duration.ofSeconds(15)).build();
    private static final int QUEUED = 3;
    private static final int LATE = 3;
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);

    @Test
    @DisplayName("Sentinel: the master is killed; every waiter, queued or new, gets the lock after the promotion")
    void sentinelMasterKilled() throws Exception {
        try (RedisSentinel sentinel = RedisSentinel.start()) {
            Map<String, Object> redis = Map.of(
                    "mode",
                    "sentinel",
                    "nodes",
                    sentinel.sentinelUris(),
                    "master-name",
                    sentinel.masterName(),
                    "connect-timeout",
                    "500ms",
                    "command-timeout",
                    "500ms");
            RedisServer master = sentinel.master();
            ridesThrough(
                    () -> manager(redis),
                    "sentinel",
                    "sentinel-held",
                    () -> new Jedis(master.host(), master.port()),
                    () -> master.process().kill(),
                    () -> {
                        RedisServer promoted = sentinel.awaitFailover(Duration.ofSeconds(20));
                        return new Jedis(promoted.host(), promoted.port());
                    },
                    false);
        }
    }

    @Test
    @DisplayName("Cluster: the master of the lock's slot is killed; every waiter, queued or new, gets the lock after")
    void clusterMasterKilled() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            Map<String, Object> redis = Map.of(
                    "mode",
                    "cluster",
                    "nodes",
                    cluster.seedUris(),
                    "connect-timeout",
                    "500ms",
                    "command-timeout",
                    "500ms");
            String name = "cluster";
            RedisCluster.Node victim = cluster.masterForSlot(RedisCluster.slotOf(LockKeys.of(PREFIX + name).lock));
            String held = "cluster-held-";
            for (int i = 0; ; i++) {
                if (cluster.masterForSlot(RedisCluster.slotOf(LockKeys.of(PREFIX + held + i).lock))
                        .equals(victim)) {
                    held = held + i;
                    break;
                }
            }
            ridesThrough(
                    () -> manager(redis),
                    name,
                    held,
                    () -> new Jedis(victim.host(), victim.port()),
                    () -> victim.process().kill(),
                    () -> {
                        cluster.awaitFailover(victim, Duration.ofSeconds(20));
                        RedisCluster.Node promoted =
                                cluster.masterForSlot(RedisCluster.slotOf(LockKeys.of(PREFIX + name).lock));
                        return new Jedis(promoted.host(), promoted.port());
                    },
                    true);
        }
    }

    /**
     * The shape of both failovers: the lock is taken by a gone client, {@value #QUEUED} waiters
     * queue on it, the master is killed, {@value #LATE} more start waiting during the failover;
     * every one of them gets the lock (and releases it) after the promotion, with distinct tokens,
     * and nothing is left on the new master. Meanwhile a lock held on the same master when it died
     * ({@code heldName}) is released within the operation timeout (or fails to be, said at once).
     */
    private static void ridesThrough(
            Supplier<GlobalLockManager> managers,
            String name,
            String heldName,
            Supplier<Jedis> master,
            Runnable kill,
            Supplier<Jedis> awaitPromoted,
            boolean sharded)
            throws Exception {
        LockKeys keys = LockKeys.of(PREFIX + name);
        ExecutorService threads = Executors.newFixedThreadPool(LATE);
        try (GlobalLockManager queuedManager = managers.get();
                GlobalLockManager lateManager = managers.get()) {
            // both engines have reached the backend before the fault
            queuedManager.tryLock("warm-up-1").release();
            lateManager.tryLock("warm-up-2").release();
            LockHandle heldAtTheKill = queuedManager.lock(heldName);
            try (Jedis admin = master.get()) {
                assertThat(admin.set(
                                keys.lock,
                                "a-client-that-is-gone",
                                redis.clients.jedis.params.SetParams.setParams().px(3_000)))
                        .isEqualTo("OK");
                assertThat(admin.waitReplicas(1, 2_000))
                        .as("the lock copied to the replica")
                        .isEqualTo(1);
            }
            List<CompletableFuture<Long>> waiters = new ArrayList<>();
            for (int i = 0; i < QUEUED; i++) {
                waiters.add(queuedManager.lockAsync(name, WAIT_15S).thenApply(RedisWaitRidesThroughFailoverTest::use));
            }
            try (Jedis admin = master.get()) {
                Await.until(
                        Duration.ofSeconds(5),
                        () -> subscribers(admin, keys.channel, sharded) > 0,
                        () -> "the queued waiters to listen on " + keys.channel);
            }

            kill.run();
            long killedAt = System.nanoTime();
            try {
                heldAtTheKill.release();
            } catch (LockBackendException e) {
                // its master is gone: the lease ends by itself
            }
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt))
                    .as("a release on the dead master")
                    .isLessThan(OPERATION_TIMEOUT.plusMillis(500));
            // new acquisitions during the failover: their first attempt meets the dead master
            for (int i = 0; i < LATE; i++) {
                waiters.add(CompletableFuture.supplyAsync(() -> use(lateManager.lock(name, WAIT_15S)), threads));
            }
            try (Jedis promoted = awaitPromoted.get()) {
                long promotedAt = System.nanoTime();
                List<String> failed = new ArrayList<>();
                HashSet<Long> tokens = new HashSet<>();
                for (CompletableFuture<Long> waiter : waiters) {
                    try {
                        tokens.add(waiter.get(20, TimeUnit.SECONDS));
                    } catch (ExecutionException e) {
                        failed.add(String.valueOf(e.getCause()));
                    } catch (TimeoutException e) {
                        failed.add("no answer within 20 s");
                    }
                }
                assertThat(failed)
                        .as(
                                "waiters that did not get the lock (the promotion took %d ms after the kill)",
                                TimeUnit.NANOSECONDS.toMillis(promotedAt - killedAt))
                        .isEmpty();
                assertThat(tokens).as("one distinct token per waiter").hasSize(QUEUED + LATE);
                assertThat(promoted.exists(keys.lock))
                        .as("the lock is free at the end")
                        .isFalse();
                Await.until(
                        Duration.ofSeconds(5),
                        () -> subscribers(promoted, keys.channel, sharded) == 0,
                        () -> "no waiter to listen on " + keys.channel + " any more");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    @DisplayName("a server that stays down: a 2 s wait fails at 2 s as unreachable, without spinning; wait 0 at once")
    void serverStaysDown() throws IOException {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager locks = manager(Map.of("nodes", List.of(own.uri())))) {
            locks.tryLock("warm-up").release(); // the engine has reached the server
            own.process().kill();

            LockOptions twoSeconds =
                    LockOptions.builder().waitTime(Duration.ofSeconds(2)).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock("down", twoSeconds))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageStartingWith("lock 'down' was not acquired within 2s because engine 'redis' at "
                            + own.uri() + " could not be reached: ")
                    .hasMessageContaining("Failed to connect");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the whole wait, not at once")
                    .isBetween(Duration.ofMillis(1_900), Duration.ofMillis(3_000));

            start = System.nanoTime();
            assertThatThrownBy(() -> locks.tryLock("down"))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'redis' at " + own.uri())
                    .hasMessageContaining("lock 'down'");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("one attempt fails at once")
                    .isLessThan(Duration.ofSeconds(1));

            // the port now accepts connections and closes them at once: count how often the engine tries
            try (ServerSocket port = new ServerSocket()) {
                port.setReuseAddress(true);
                port.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), own.port()));
                AtomicInteger connections = new AtomicInteger();
                Thread acceptor = new Thread(
                        () -> {
                            while (!port.isClosed()) {
                                try (Socket client = port.accept()) {
                                    connections.incrementAndGet();
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "closing-port-" + own.port());
                acceptor.setDaemon(true);
                acceptor.start();
                start = System.nanoTime();
                assertThatThrownBy(() -> locks.lockAsync("down", twoSeconds).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(LockBackendException.class)
                        .hasMessageContaining("could not be reached");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1_900));
                assertThat(connections.get())
                        .as("connections opened during a 2 s wait: the attempts back off")
                        .isBetween(2, 30);
            }
        }
    }

    @Test
    @DisplayName("a master demoted to a replica (READONLY) and promoted again: the waiter gets the lock after")
    void demotedMaster() throws Exception {
        try (RedisServer own = RedisServer.start();
                RedisServer other = RedisServer.start();
                GlobalLockManager locks = manager(Map.of("nodes", List.of(own.uri())));
                Jedis admin = new Jedis(own.host(), own.port())) {
            locks.tryLock("warm-up").release();
            admin.replicaof(other.host(), other.port());
            CompletableFuture<LockHandle> waiting = locks.lockAsync("demoted", WAIT_15S);
            Await.until(
                    Duration.ofSeconds(5),
                    () -> admin.info("errorstats").contains("errorstat_READONLY"),
                    () -> "an attempt to meet READONLY");
            assertThat(waiting).as("waiting while the server refuses writes").isNotDone();
            admin.replicaofNoOne();
            LockHandle held = waiting.get(5, TimeUnit.SECONDS);
            assertThat(held.isLocked()).isTrue();
            held.release();
        }
    }

    @Test
    @DisplayName("a wait that ends while the server hangs leaves no lock behind once the server runs the late attempt")
    void gaveUpLeavesNothing() {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager locks = manager(
                        Map.of("nodes", List.of(own.uri()), "connect-timeout", "300ms", "command-timeout", "300ms"));
                Jedis admin = new Jedis(own.host(), own.port())) {
            locks.tryLock("warm-up").release();
            LockKeys keys = LockKeys.of(PREFIX + "hung");
            own.process().pause();
            try {
                assertThatThrownBy(() -> locks.lock(
                                "hung",
                                LockOptions.builder()
                                        .waitTime(Duration.ofSeconds(1))
                                        .build()))
                        .isInstanceOf(LockBackendException.class)
                        .hasMessageContaining("could not be reached");
                // longer than one call can take: an undo tried once, right after the waiter gave up, fails
                Await.pause(Duration.ofSeconds(1), "the server hangs on after the waiter gave up");
            } finally {
                own.process().resume();
            }
            // the attempt sent while the server hung runs now: it grants the lock to the waiter that gave up
            Await.until(Duration.ofSeconds(5), () -> admin.exists(keys.fence), () -> "the late attempt to have run");
            Await.until(Duration.ofSeconds(5), () -> !admin.exists(keys.lock), () -> "the late grant to be undone");
        }
    }

    /** Releases the lock at once; its token. */
    private static long use(LockHandle handle) {
        long token = handle.fencingToken();
        handle.release();
        return token;
    }

    private static long subscribers(Jedis node, String channel, boolean sharded) {
        return sharded
                ? node.pubsubShardNumSub(channel).getOrDefault(channel, 0L)
                : node.pubsubNumSub(channel).getOrDefault(channel, 0L);
    }

    private static GlobalLockManager manager(Map<String, Object> redis) {
        return GlobalLockManager.builder()
                .config(Map.of(
                        "engine",
                        "redis",
                        "key-prefix",
                        PREFIX,
                        "operation-timeout",
                        OPERATION_TIMEOUT.toMillis() + "ms",
                        "redis",
                        redis))
                .build();
    }
}
