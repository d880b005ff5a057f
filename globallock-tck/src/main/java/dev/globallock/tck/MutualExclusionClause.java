/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.freeFor;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 1 of the lock contract: at most one live holder per lock name, across managers and
 * under contention, and names that look alike are still different locks.
 *
 * <p>The group "1. mutual exclusion" of {@link LockEngineCompatibilityKit}.
 */
abstract class MutualExclusionClause {
    private final KitContext kit;

    MutualExclusionClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("at most one holder at a time across managers under contention, and no update is lost")
    void contendedCounterNeverOverlaps() throws Exception {
        int managerCount = 3;
        int threadsPerManager = 3;
        int rounds = 15;
        List<GlobalLockManager> contenders = new ArrayList<>();
        for (int i = 0; i < managerCount; i++) {
            contenders.add(kit.manager());
        }
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        int[] counter = {0};
        ExecutorService pool = kit.threads(managerCount * threadsPerManager);
        List<Future<?>> work = new ArrayList<>();
        for (GlobalLockManager contender : contenders) {
            for (int t = 0; t < threadsPerManager; t++) {
                work.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        try (LockHandle lock = contender.lock("counter", waitAtMost(kit.patience()))) {
                            int now = inside.incrementAndGet();
                            maxInside.accumulateAndGet(now, Math::max);
                            int read = counter[0];
                            Thread.yield();
                            counter[0] = read + 1;
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
        }
        for (Future<?> future : work) {
            future.get(kit.patience().toMillis() * 3, TimeUnit.MILLISECONDS);
        }
        assertThat(maxInside.get())
                .as("holders inside the critical section at once")
                .isEqualTo(1);
        assertThat(counter[0]).isEqualTo(managerCount * threadsPerManager * rounds);
    }

    @Test
    @DisplayName("a second manager cannot take a held lock, and takes it once released")
    void heldLockIsExclusive() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        LockHandle held = first.lock("exclusive", waitAtMost(kit.patience()));
        try (LockHandle attempt = second.tryLock("exclusive")) {
            assertThat(attempt.isLocked()).isFalse();
            assertThat(attempt.state()).isEqualTo(LockState.NOT_ACQUIRED);
            assertThatThrownBy(attempt::fencingToken).isInstanceOf(IllegalStateException.class);
        }
        held.release();
        assertThat(freeFor(second, "exclusive")).isTrue();
    }

    @Test
    @DisplayName("different names are different locks, however alike they look")
    void alikeNamesDoNotCollide() {
        GlobalLockManager locks = kit.manager();
        List<String> names = List.of(
                "a/b", "a_b", "a%2Fb", "a%2fb", "a:b", "a.b", "a..b", "{a}b", "a{b}", "A/B", "a b", "a/b/", "/a/b");
        List<LockHandle> handles = new ArrayList<>();
        for (String name : names) {
            LockHandle handle = locks.tryLock(name, waitAtMost(Duration.ZERO));
            assertThat(handle.isLocked()).as("lock '%s' is free", name).isTrue();
            handles.add(handle);
        }
        handles.forEach(LockHandle::close);
    }
}
