/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockException;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.EtcdCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Contention on a real 3-member cluster while a member fails: the leader killed, the leader frozen
 * with SIGSTOP and resumed. Mutual exclusion and fencing must hold throughout, and locking must
 * carry on; single operations may fail with a clear {@link GlobalLockException} while etcd elects.
 */
@DisplayName("etcd engine, 3-member cluster: contention while a member fails")
class EtcdClusterFaultsTest {
    private static final int MANAGERS = 3;
    private static final int THREADS_PER_MANAGER = 2;
    private static final int TARGET = 90;

    private EtcdCluster cluster;
    private final List<GlobalLockManager> managers = new ArrayList<>();
    private ExecutorService pool;

    @BeforeEach
    void startCluster() {
        cluster = EtcdCluster.start(3);
        pool = Executors.newFixedThreadPool(MANAGERS * THREADS_PER_MANAGER);
    }

    private void openManagers(Duration watchdogLease) {
        for (int i = 0; i < MANAGERS; i++) {
            managers.add(GlobalLockManager.builder()
                    .config(Map.of(
                            "engine",
                            "etcd",
                            "etcd",
                            Map.of(
                                    "endpoints", cluster.endpoints(),
                                    "connect-timeout", "1s",
                                    "request-timeout", "2s",
                                    "keepalive-time", "5s",
                                    "keepalive-timeout", "2s")))
                    .watchdogLease(watchdogLease)
                    .build());
        }
    }

    @AfterEach
    void stopCluster() {
        pool.shutdownNow();
        for (GlobalLockManager manager : managers) {
            try {
                manager.close();
            } catch (RuntimeException e) {
                // a member is down on purpose
            }
        }
        cluster.close();
    }

    @Test
    @DisplayName("the leader is killed mid-run: still one holder at a time, tokens keep rising, locking goes on")
    void leaderKilledMidRun() throws Exception {
        openManagers(Duration.ofSeconds(30));
        Contention run = new Contention();
        run.start();
        run.awaitAcquisitions(TARGET / 3);
        EtcdCluster.Member leader = cluster.leader();
        leader.process().kill();
        long killedAt = run.acquisitions.get();
        cluster.awaitLeaderOtherThan(leader, Duration.ofSeconds(20));
        run.awaitAcquisitions(killedAt + TARGET / 2);
        run.stopAndCheck();
    }

    @Test
    @DisplayName("the leader is frozen with SIGSTOP and resumed: still one holder at a time, locking goes on")
    void leaderFrozenAndResumed() throws Exception {
        openManagers(Duration.ofSeconds(30));
        Contention run = new Contention();
        run.start();
        run.awaitAcquisitions(TARGET / 3);
        EtcdCluster.Member leader = cluster.leader();
        leader.process().pause();
        long frozenAt = run.acquisitions.get();
        cluster.awaitLeaderOtherThan(leader, Duration.ofSeconds(20));
        run.awaitAcquisitions(frozenAt + TARGET / 3);
        leader.process().resume();
        cluster.awaitHealthy(Duration.ofSeconds(20));
        long resumedAt = run.acquisitions.get();
        run.awaitAcquisitions(resumedAt + TARGET / 3);
        run.stopAndCheck();
        assertThat(run.failures)
                .as("no waiter lost its place: the pause was shorter than the lease")
                .noneMatch(failure -> failure.contains("was not granted"));
    }

    /**
     * etcd 3.4 behaviour, found with this test: a leader frozen for longer than a lease's TTL still
     * believes it leads when it resumes, finds the lease expired by its own clock and proposes its
     * revocation; raft forwards that proposal to the new leader, which commits it. The keys go, even
     * though their owners kept renewing through the new leader. The engine must stay safe: holders
     * are told their lease is lost, queued waiters fail clearly and are never granted, and locking
     * goes on with fresh leases.
     */
    @Test
    @Tag("torture")
    @DisplayName("the leader is frozen for longer than the lease: leases may be revoked on resume, safety holds")
    void leaderFrozenLongerThanTheLease() throws Exception {
        openManagers(Duration.ofSeconds(4));
        Contention run = new Contention();
        run.start();
        run.awaitAcquisitions(TARGET / 3);
        EtcdCluster.Member leader = cluster.leader();
        leader.process().pause();
        cluster.awaitLeaderOtherThan(leader, Duration.ofSeconds(20));
        Await.pause(Duration.ofSeconds(8), "the leader stays frozen for two leases (4 s each)");
        leader.process().resume();
        cluster.awaitHealthy(Duration.ofSeconds(20));
        long resumedAt = run.acquisitions.get();
        run.awaitAcquisitions(resumedAt + TARGET / 3);
        run.stopAndCheck();
    }

    /** Threads of several managers taking one lock in turns, recording what they saw inside. */
    private final class Contention {
        final AtomicLong acquisitions = new AtomicLong();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final ConcurrentLinkedQueue<Long> tokens = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final List<Future<?>> workers = new ArrayList<>();
        volatile boolean stop;
        private final Object order = new Object();
        private long lastToken = Long.MIN_VALUE;
        private boolean tokensRose = true;

        void start() {
            for (GlobalLockManager manager : managers) {
                for (int t = 0; t < THREADS_PER_MANAGER; t++) {
                    workers.add(pool.submit(() -> work(manager)));
                }
            }
        }

        private void work(GlobalLockManager manager) {
            while (!stop) {
                try (LockHandle lock = manager.lock(
                        "contended",
                        LockOptions.builder().waitTime(Duration.ofSeconds(20)).build())) {
                    int now = inside.incrementAndGet();
                    maxInside.accumulateAndGet(now, Math::max);
                    synchronized (order) {
                        tokensRose &= lock.fencingToken() > lastToken;
                        lastToken = lock.fencingToken();
                    }
                    tokens.add(lock.fencingToken());
                    Thread.yield();
                    inside.decrementAndGet();
                    acquisitions.incrementAndGet();
                } catch (GlobalLockException e) {
                    failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }

        void awaitAcquisitions(long count) {
            Await.until(
                    Duration.ofSeconds(60),
                    () -> acquisitions.get() >= count,
                    () -> count + " acquisitions (reached " + acquisitions.get() + "); failures so far: " + failures);
        }

        void stopAndCheck() throws Exception {
            stop = true;
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            System.out.println(
                    acquisitions.get() + " acquisitions, " + failures.size() + " failed operations: " + failures);
            assertThat(maxInside.get()).as("holders inside at once").isEqualTo(1);
            assertThat(tokensRose)
                    .as("every token greater than the one before it")
                    .isTrue();
            assertThat(failures)
                    .as("failures are clear backend errors that name the engine")
                    .allMatch(failure -> failure.contains("etcd") || failure.contains("LockTimeoutException"));
        }
    }
}
