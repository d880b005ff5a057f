/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Killing the ensemble's leader while locks are held, waited on and contended. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperLeaderFailoverTest {
    private TestingCluster cluster;
    private final List<GlobalLockManager> managers = new ArrayList<>();
    private ExecutorService pool;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = TestingServers.cluster();
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void stopCluster() throws Exception {
        pool.shutdownNow();
        for (GlobalLockManager manager : managers) {
            try {
                manager.close();
            } catch (RuntimeException e) {
                // released or not, the cluster goes away next
            }
        }
        cluster.close();
    }

    /** Waits until the lock's parent node has {@code count} children, read with a separate client. */
    private void awaitChildren(String name, int count) {
        String parent = LockPaths.parentOf("failover-" + name);
        try (CuratorFramework observer = ZooKeeperKitSupport.observer(cluster.getConnectString())) {
            Await.until(
                    Duration.ofSeconds(20),
                    () -> {
                        try {
                            return observer.getChildren().forPath(parent).size() == count;
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    () -> parent + " to have " + count + " children");
        }
    }

    /**
     * The session timeout, and so the holder's lease: long enough that the holder can confirm its
     * lease again after the election. With the kit's 4 s, an election on a loaded machine kept the
     * holder from confirming for 4 s and its lease deadline passed (correctly: it could not know the
     * server still held its node), which is not what this test is about.
     */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    private GlobalLockManager manager() {
        GlobalLockManager manager = GlobalLockManager.builder()
                .config(TestingServers.config(cluster.getConnectString(), SESSION_TIMEOUT))
                .keyPrefix("failover-")
                .build();
        managers.add(manager);
        return manager;
    }

    @Test
    @DisplayName("held, waited-on and contended locks survive the leader's death with exclusion intact")
    void leaderKilledMidRun() throws Exception {
        GlobalLockManager holderManager = manager();
        GlobalLockManager waiterManager = manager();
        List<GlobalLockManager> contenders = List.of(manager(), manager());

        LockHandle held = holderManager.lock(
                "held", LockOptions.builder().waitTime(Duration.ofSeconds(10)).build());
        AtomicInteger uncertainSeen = new AtomicInteger();
        CompletableFuture<LockHandle> waiting = waiterManager.lockAsync(
                "held", LockOptions.builder().waitForever().build());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicLong lastToken = new AtomicLong();
        AtomicInteger tokenRegressions = new AtomicInteger();
        int[] counter = {0};
        AtomicInteger increments = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        for (GlobalLockManager contender : contenders) {
            for (int t = 0; t < 2; t++) {
                work.add(pool.submit(() -> {
                    while (running.get()) {
                        try (LockHandle lock = contender.lock(
                                "contended",
                                LockOptions.builder()
                                        .waitTime(Duration.ofSeconds(20))
                                        .build())) {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            if (lock.fencingToken() <= lastToken.getAndSet(lock.fencingToken())) {
                                tokenRegressions.incrementAndGet();
                            }
                            counter[0]++;
                            increments.incrementAndGet();
                            inside.decrementAndGet();
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
        }
        awaitChildren("held", 2); // the holder's node and the waiter's, queued behind it
        Await.until(
                Duration.ofSeconds(20),
                () -> increments.get() >= 50,
                () -> "the contenders to get going (" + increments.get() + " increments, " + failures.get()
                        + " failures)");
        int beforeKill = increments.get();
        long tokenBeforeKill = lastToken.get();
        InstanceSpec leader = TestingServers.leader(cluster);
        cluster.killServer(leader);
        try {
            Await.until(
                    Duration.ofSeconds(30),
                    () -> {
                        if (held.state() == LockState.UNCERTAIN) {
                            uncertainSeen.incrementAndGet();
                        }
                        return increments.get() >= beforeKill + 50;
                    },
                    () -> "work to go on after the election (" + (increments.get() - beforeKill)
                            + " increments since the kill, " + failures.get() + " failures)");
        } finally {
            running.set(false);
        }
        for (Future<?> future : work) {
            future.get(30, TimeUnit.SECONDS);
        }

        System.out.printf(
                "leader failover: %d increments (%d before the kill), %d failed acquisitions, holder uncertain"
                        + " for %d polls, epoch %d -> %d%n",
                increments.get(),
                beforeKill,
                failures.get(),
                uncertainSeen.get(),
                tokenBeforeKill >>> 32,
                lastToken.get() >>> 32);
        assertThat(increments.get()).as("work went on after the election").isGreaterThanOrEqualTo(beforeKill + 50);
        assertThat(maxInside.get()).as("holders inside at once").isEqualTo(1);
        assertThat(counter[0]).as("no lost update").isEqualTo(increments.get());
        assertThat(tokenRegressions.get()).as("fencing tokens never went back").isZero();
        assertThat(lastToken.get() >>> 32)
                .as("tokens after the election carry the new epoch")
                .isGreaterThan(tokenBeforeKill >>> 32);
        assertThat(failures.get())
                .as("acquisitions that failed during the election")
                .isLessThanOrEqualTo(4);

        assertThat(held.isLocked())
                .as("the holder kept its lock through the election")
                .isTrue();
        assertThat(waiting).as("the waiter is still waiting").isNotDone();
        held.release();
        try (LockHandle granted = waiting.get(20, TimeUnit.SECONDS)) {
            assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
        }
    }
}
