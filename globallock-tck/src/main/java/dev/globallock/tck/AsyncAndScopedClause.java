/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.freeFor;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockedTaskException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Async and scoped use: {@code withLock}, {@code lockAsync}, code chained on an acquisition, and
 * virtual threads.
 *
 * <p>The group "9. async and scoped use" of {@link LockEngineCompatibilityKit}.
 */
abstract class AsyncAndScopedClause {
    private final KitContext kit;

    AsyncAndScopedClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("withLock runs the task under the lock and wraps its checked exceptions")
    void withLockRunsAndReleases() {
        GlobalLockManager locks = kit.manager();
        GlobalLockManager other = kit.manager();
        String result = locks.withLock("scoped", waitAtMost(kit.patience()), () -> {
            assertThat(freeFor(other, "scoped")).isFalse();
            return "ran";
        });
        assertThat(result).isEqualTo("ran");
        assertThat(freeFor(other, "scoped")).isTrue();
        assertThatThrownBy(() -> locks.withLock("scoped", waitAtMost(kit.patience()), () -> {
                    throw new IOException("disk full");
                }))
                .isInstanceOf(LockedTaskException.class)
                .hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("'scoped'");
        assertThat(freeFor(other, "scoped"))
                .as("released after the task failed")
                .isTrue();
    }

    @Test
    @DisplayName("an async acquisition completes with a handle that any thread may release")
    void asyncAcquire() throws Exception {
        GlobalLockManager locks = kit.manager();
        LockHandle handle = locks.lockAsync("async", waitAtMost(kit.patience()))
                .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(handle.isLocked()).isTrue();
        kit.threads(1).submit(handle::release).get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(freeFor(kit.manager(), "async")).isTrue();
    }

    @Test
    @DisplayName(
            "code chained on an async acquisition may block on the manager: it releases the handle and locks again")
    void asyncCallbackMayBlock() throws Exception {
        GlobalLockManager holder = kit.manager();
        GlobalLockManager locks = kit.manager();
        LockHandle held = holder.lock("chained", waitAtMost(kit.patience()));
        // queued behind the holder, so the chained code runs on whatever thread completes the
        // grant, never on this one
        CompletableFuture<Boolean> chained = locks.lockAsync("chained", waitAtMost(kit.patience()))
                .thenApply(handle -> {
                    handle.release();
                    try (LockHandle again = locks.lock("chained", waitAtMost(kit.patience()))) {
                        return again.isLocked();
                    }
                });
        held.release();
        assertThat(chained.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        assertThat(freeFor(kit.manager(), "chained")).isTrue();
    }

    @Test
    @DisplayName("virtual threads can lock, wait and release (where the JDK has them)")
    void virtualThreads() throws Exception {
        ExecutorService virtual;
        try {
            virtual = (ExecutorService)
                    Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "this JDK has no virtual threads");
            return;
        }
        kit.shutDownAfterTheTest(virtual);
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            GlobalLockManager locks = i % 2 == 0 ? first : second;
            work.add(virtual.submit(() -> {
                try (LockHandle lock = locks.lock("virtual", waitAtMost(kit.patience()))) {
                    maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> future : work) {
            future.get(kit.patience().toMillis() * 2, TimeUnit.MILLISECONDS);
        }
        assertThat(maxInside.get()).isEqualTo(1);
    }
}
