/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockException;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * The Redlock hazard of a master that restarts without persistence: it forgets a lock that a
 * majority including it granted, and could complete a second majority for another client. A
 * master that came back as another process must not count towards a majority for the longest
 * lease (here the 3 s watchdog lease) after it came back.
 */
@DisplayName("redis engine, Redlock over 5 servers: a master restarted empty rejoins majorities only after the lease")
class RedlockDelayedRejoinTest {
    private static final Duration LEASE = Duration.ofSeconds(3);

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

    @Test
    @DisplayName(
            "a holder with exactly 3 grants, one of them restarts empty: nobody else gets a majority before the lease")
    void restartedMasterIsLeftOutForTheLease() {
        String prefix = "rejoin-" + UUID.randomUUID() + ":";
        String key = LockKeys.of(prefix + "contended").lock;
        List<RedisServer> nodes = servers.servers();
        // another owner holds nodes 3 and 4, so that the first client's grant is exactly nodes 0, 1, 2
        for (int i = 3; i < 5; i++) {
            call(
                    nodes.get(i),
                    client -> client.set(
                            key, "someone-else", SetParams.setParams().px(60_000)));
        }
        try (GlobalLockManager first = manager(prefix);
                GlobalLockManager second = manager(prefix)) {
            LockHandle held = first.lock("contended");
            AtomicLong toldAt = new AtomicLong();
            held.onLost(() -> toldAt.set(System.nanoTime()));
            for (int i = 0; i < 5; i++) {
                boolean first3 = i < 3;
                String owner = call(nodes.get(i), client -> client.get(key));
                assertThat(owner).as("node %d", i).isNotNull().matches(o -> first3 != o.equals("someone-else"));
            }
            assertThat(second.tryLock("contended").isLocked())
                    .as("the second client has met every node, and the lock is held")
                    .isFalse();
            for (int i = 3; i < 5; i++) {
                call(nodes.get(i), client -> client.del(key));
            }

            // The engine may see the new process before restart() returns (its watching connection
            // reconnects while the fixture still waits for the server to be ready), so the lease is
            // counted from before the restart: node 0 stays out at least until then + LEASE.
            long beforeRestart = System.nanoTime();
            nodes.get(0).process().restart(); // no persistence: node 0 forgot the first client's grant
            long back = System.nanoTime();

            // The first client is told at once (2 of 5 grants left) and stops renewing, so its grants on
            // nodes 1 and 2 run out one lease after their last renewal, which may be before node 0 may
            // count again; from then on nodes 1, 2, 3 and 4 would be a fair majority. To check node 0's
            // exclusion alone, someone else holds nodes 1 and 2 once the first client knows it lost.
            Await.until(
                    Duration.ofSeconds(2),
                    () -> toldAt.get() != 0,
                    () -> "the first client to be told it lost the lock when node 0 came back empty");
            for (int i = 1; i < 3; i++) {
                call(
                        nodes.get(i),
                        client -> client.set(
                                key, "someone-else", SetParams.setParams().px(60_000)));
            }

            // nodes 0, 3 and 4 would be a majority for the second client: node 0 must not count yet
            AtomicReference<LockHandle> taken = new AtomicReference<>();
            Await.holdsFor(
                    Duration.ofNanos(beforeRestart + LEASE.minusMillis(200).toNanos() - System.nanoTime()),
                    () -> !tryToTake(second, taken),
                    () -> "the second client to get no majority while the restarted node waits out the lease");
            Await.until(
                    LEASE.plusSeconds(5),
                    () -> tryToTake(second, taken),
                    () -> "the second client to get the lock once the restarted node counts again");
            assertThat(Duration.ofNanos(System.nanoTime() - beforeRestart))
                    .isGreaterThanOrEqualTo(LEASE.minusMillis(200));

            // the first client was told as soon as it reconnected to node 0: 2 of 5 do not hold a lease
            assertThat(toldAt.get()).as("the first client was told").isNotZero();
            assertThat(Duration.ofNanos(toldAt.get() - back)).isLessThan(Duration.ofSeconds(2));
            assertThat(held.isLocked()).isFalse();
            taken.get().release();
        }
    }

    private static boolean tryToTake(GlobalLockManager locks, AtomicReference<LockHandle> taken) {
        if (taken.get() != null) {
            return true;
        }
        try {
            LockHandle handle = locks.tryLock("contended");
            if (handle.isLocked()) {
                taken.set(handle);
                return true;
            }
            return false;
        } catch (GlobalLockException e) {
            return false; // a connection the restart broke
        }
    }

    private static GlobalLockManager manager(String prefix) {
        return GlobalLockManager.builder()
                .config(Map.of(
                        "engine",
                        "redis",
                        "key-prefix",
                        prefix,
                        "redis",
                        Map.of(
                                "mode",
                                "redlock",
                                "nodes",
                                servers.uris(),
                                "connect-timeout",
                                "500ms",
                                "command-timeout",
                                "500ms")))
                .watchdogLease(LEASE)
                .build();
    }

    private static <T> T call(RedisServer server, java.util.function.Function<RedisClient, T> call) {
        try (RedisClient client = RedisClient.create(server.host(), server.port())) {
            return call.apply(client);
        }
    }
}
