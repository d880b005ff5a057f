/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the clause classes of {@link LockEngineCompatibilityKit} share: the engine's settings (read
 * from the kit, so an engine's overrides apply), the managers and threads a test opened (closed
 * after it), the test's key prefix, and bounded waits.
 *
 * <p>JUnit makes a new kit instance, and with it a new context, for every test; a context is used
 * by the test's thread and the threads that test starts. Not for concurrent tests.
 */
final class KitContext {
    private final LockEngineCompatibilityKit kit;
    private final List<GlobalLockManager> managers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private String prefix;

    KitContext(LockEngineCompatibilityKit kit) {
        this.kit = kit;
    }

    // ------------------------------------------------------------------------------ lifecycle

    void newPrefix() {
        prefix = "tck-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    void closeEverything() {
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
        }
        for (GlobalLockManager manager : managers) {
            try {
                manager.close();
            } catch (RuntimeException e) {
                // a test that broke the backend on purpose may fail to release; the lease ends anyway
            }
        }
        managers.clear();
        executors.clear();
    }

    // ------------------------------------------------------------------------------ the engine's settings

    Map<String, Object> unreachableConfig() {
        return kit.unreachableConfig();
    }

    void forgetOnBackend(String key) throws Exception {
        kit.forgetOnBackend(key);
    }

    Duration shortLease() {
        return kit.shortLease();
    }

    Duration patience() {
        return kit.patience();
    }

    boolean detectsPermitsDisagreement() {
        return kit.detectsPermitsDisagreement();
    }

    Duration crashRecoveryBound(Duration watchdogLease) {
        return kit.crashRecoveryBound(watchdogLease);
    }

    // ------------------------------------------------------------------------------ managers and threads

    GlobalLockManager manager() {
        return manager(b -> {});
    }

    GlobalLockManager managerWithWatchdogLease(Duration lease) {
        return manager(b -> b.watchdogLease(lease));
    }

    /** A manager built from the kit's engine configuration with this test's key prefix, customised. */
    GlobalLockManager manager(Consumer<GlobalLockManager.Builder> customizer) {
        Map<String, Object> config = new LinkedHashMap<>(kit.engineConfig());
        config.put("key-prefix", prefix);
        GlobalLockManager.Builder builder = GlobalLockManager.builder().config(config);
        customizer.accept(builder);
        GlobalLockManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    /** A manager whose engine counts the calls made to it; the manager is set in {@code out}. */
    CountingEngine countingManager(AtomicReference<GlobalLockManager> out, Duration watchdogLease) {
        AtomicReference<CountingEngine> engine = new AtomicReference<>();
        out.set(manager(b -> {
            b.decorateEngine(e -> {
                CountingEngine counting = new CountingEngine(e);
                engine.set(counting);
                return counting;
            });
            if (watchdogLease != null) {
                b.watchdogLease(watchdogLease);
            }
        }));
        return engine.get();
    }

    /**
     * The crash hook: the engine under the counting decorator drops its connection without
     * releasing anything, as a crashed process would.
     */
    void crash(CountingEngine engine) {
        engine.crash();
    }

    /** A manager the test opened itself, to be closed after the test. */
    void closeAfterTheTest(GlobalLockManager manager) {
        managers.add(manager);
    }

    ExecutorService threads(int count) {
        ExecutorService executor = Executors.newFixedThreadPool(count);
        executors.add(executor);
        return executor;
    }

    /** An executor the test made itself, to be shut down after the test. */
    void shutDownAfterTheTest(ExecutorService executor) {
        executors.add(executor);
    }

    /** The backend key of a lock name in this test. */
    String keyOf(String name) {
        return prefix + name;
    }

    // ------------------------------------------------------------------------------ options, waits and probes

    static LockOptions waitAtMost(Duration wait) {
        return LockOptions.builder().waitTime(wait).build();
    }

    static LockOptions forever() {
        return LockOptions.builder().waitForever().build();
    }

    LockOptions lease(Duration lease) {
        return LockOptions.builder().waitTime(patience()).leaseTime(lease).build();
    }

    /** Waits until the condition holds, failing with the description after the kit's patience. */
    void awaitTrue(String description, BooleanSupplier condition) {
        long deadline = System.nanoTime() + patience().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + patience() + ": " + description);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static boolean freeFor(GlobalLockManager other, String name) {
        try (LockHandle probe = other.tryLock(name)) {
            return probe.isLocked();
        }
    }

    /**
     * After the holder released: the lock is free for a third manager, so the abandoned waiter left
     * nothing queued. An engine removes an abandoned waiter's key or node asynchronously (one
     * round trip, which on a cluster may reach the leader after the holder's release), so the
     * probe is repeated within the patience bound; a leftover that stays fails the test.
     */
    void awaitAbandonedWaiterGone(String name) {
        GlobalLockManager probe = manager();
        awaitTrue("lock '" + name + "' free, with no abandoned waiter left queued", () -> freeFor(probe, name));
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    void assumeLeaseTimes() {
        assumeTrue(
                manager().capabilities().has(Capability.LEASE_TIME),
                "the engine declares no LEASE_TIME capability: explicit lease times are rejected instead");
    }
}
