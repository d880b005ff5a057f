/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockException;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A long fault run (tagged {@code torture}: {@code mvn -Ptorture -pl globallock-zookeeper verify}):
 * managers contend on two locks of a 3-server ensemble while members, the leader among them, are
 * killed and restarted over and over. Every lock's critical section checks exclusion and feeds its
 * fencing token to a resource that rejects stale tokens. Length: {@code -Dgloballock.torture.seconds}
 * (default 60).
 */
@Tag("torture")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ZooKeeperTortureTest {
    private static final int MANAGERS = 3;
    private static final int THREADS_PER_MANAGER = 2;
    private static final List<String> NAMES = List.of("torture-a", "torture-b");

    /** What the locks protect: counts writes and rejects a token older than the last one. */
    private static final class Resource {
        final AtomicInteger inside = new AtomicInteger();
        int overlaps;
        long lastToken;
        int writes;
        int staleWrites;

        synchronized void write(long token) {
            if (token <= lastToken) {
                staleWrites++;
            } else {
                lastToken = token;
                writes++;
            }
        }
    }

    private static int writes(List<Resource> resources) {
        int writes = 0;
        for (Resource resource : resources) {
            synchronized (resource) {
                writes += resource.writes;
            }
        }
        return writes;
    }

    @Test
    @DisplayName("exclusion, fencing and progress hold while ensemble members are killed and restarted")
    void killAndRestartMembers() throws Exception {
        long seconds = Long.getLong("globallock.torture.seconds", 60);
        try (TestingCluster cluster = TestingServers.cluster()) {
            List<GlobalLockManager> managers = new ArrayList<>();
            for (int i = 0; i < MANAGERS; i++) {
                managers.add(GlobalLockManager.builder()
                        .config(TestingServers.config(
                                cluster.getConnectString(),
                                ZooKeeperClusterLockEngineCompatibilityTest.SESSION_TIMEOUT))
                        .watchdogLease(ZooKeeperClusterLockEngineCompatibilityTest.SESSION_TIMEOUT.multipliedBy(2))
                        .build());
            }
            List<Resource> resources = List.of(new Resource(), new Resource());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger lostInside = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(MANAGERS * THREADS_PER_MANAGER);
            List<Future<?>> work = new ArrayList<>();
            try {
                for (GlobalLockManager manager : managers) {
                    for (int t = 0; t < THREADS_PER_MANAGER; t++) {
                        work.add(pool.submit(() -> {
                            while (running.get()) {
                                int which = ThreadLocalRandom.current().nextInt(NAMES.size());
                                Resource resource = resources.get(which);
                                try (LockHandle lock = manager.lock(
                                        NAMES.get(which),
                                        LockOptions.builder()
                                                .waitTime(Duration.ofSeconds(20))
                                                .build())) {
                                    if (resource.inside.incrementAndGet() > 1) {
                                        synchronized (resource) {
                                            resource.overlaps++;
                                        }
                                    }
                                    resource.write(lock.fencingToken());
                                    Await.pause(
                                            Duration.ofMillis(
                                                    ThreadLocalRandom.current().nextInt(3)),
                                            "stay inside a moment, so that an overlap would show");
                                    resource.inside.decrementAndGet();
                                    if (!lock.isLocked()) {
                                        lostInside.incrementAndGet();
                                    }
                                } catch (GlobalLockException e) {
                                    failures.incrementAndGet(); // a bounded failure during an election
                                }
                            }
                            return null;
                        }));
                    }
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                List<InstanceSpec> members = new ArrayList<>(cluster.getInstances());
                int cycles = 0;
                while (System.nanoTime() - end < 0) {
                    InstanceSpec victim = cycles % 2 == 0
                            ? TestingServers.leader(cluster)
                            : members.get(ThreadLocalRandom.current().nextInt(members.size()));
                    int before = writes(resources);
                    cluster.killServer(victim);
                    Await.pause(
                            Duration.ofMillis(
                                    1_000 + ThreadLocalRandom.current().nextInt(2_000)),
                            "the member stays down for a while");
                    cluster.restartServer(victim);
                    int cycle = cycles;
                    Await.until(
                            Duration.ofSeconds(30),
                            () -> TestingServers.isServing(victim) && writes(resources) > before,
                            () -> "cycle " + cycle + ": member on port " + victim.getPort()
                                    + " to serve again and the locks to make progress (writes " + writes(resources)
                                    + ", " + before + " before the kill)");
                    cycles++;
                }
                running.set(false);
                for (Future<?> future : work) {
                    future.get(2, TimeUnit.MINUTES);
                }
                int writes = resources.stream().mapToInt(r -> r.writes).sum();
                System.out.printf(
                        "torture: %d kill/restart cycles, %d writes, %d bounded failures, %d leases lost inside%n",
                        cycles, writes, failures.get(), lostInside.get());
                for (Resource resource : resources) {
                    if (lostInside.get() == 0) {
                        assertThat(resource.overlaps)
                                .as("holders inside at once")
                                .isZero();
                        assertThat(resource.staleWrites)
                                .as("stale fencing tokens")
                                .isZero();
                    }
                }
                assertThat(writes).isPositive();
            } finally {
                running.set(false);
                pool.shutdownNow();
                managers.forEach(GlobalLockManager::close);
            }
        }
    }
}
