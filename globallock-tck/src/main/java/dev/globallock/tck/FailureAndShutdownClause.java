/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.forever;
import static dev.globallock.tck.KitContext.freeFor;
import static dev.globallock.tck.KitContext.millisSince;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockException;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clauses 8 and 9 of the lock contract: an unreachable backend fails within a bounded time, and
 * closing the manager releases what it holds and abandons its waits.
 *
 * <p>The group "10. bounded failure and shutdown" of {@link LockEngineCompatibilityKit}.
 */
abstract class FailureAndShutdownClause {
    private final KitContext kit;

    FailureAndShutdownClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("an unreachable backend gives a clear exception within a bounded time")
    void unreachableBackendFailsFast() {
        long start = System.nanoTime();
        Throwable failure = null;
        try (GlobalLockManager locks = GlobalLockManager.create(kit.unreachableConfig())) {
            kit.closeAfterTheTest(locks);
            locks.lock("unreachable", waitAtMost(Duration.ofSeconds(3)));
        } catch (GlobalLockException e) {
            failure = e;
        }
        assertThat(failure).as("locking on an unreachable backend must fail").isNotNull();
        assertThat(millisSince(start)).isLessThan(kit.patience().toMillis());
        if (failure instanceof LockBackendException) {
            assertThat(failure.getMessage())
                    .contains(String.valueOf(kit.unreachableConfig().get("engine")));
        }
    }

    @Test
    @DisplayName("closing the manager releases what it holds and refuses further use")
    void closeReleasesEverything() {
        GlobalLockManager locks = kit.manager();
        LockHandle a = locks.lock("close-a", waitAtMost(kit.patience()));
        LockHandle b = locks.lock("close-b", waitAtMost(kit.patience()));
        locks.close();
        assertThat(a.isLocked()).isFalse();
        assertThat(b.isLocked()).isFalse();
        GlobalLockManager other = kit.manager();
        assertThat(freeFor(other, "close-a")).isTrue();
        assertThat(freeFor(other, "close-b")).isTrue();
        assertThatThrownBy(() -> locks.tryLock("close-a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        a.close();
    }

    @Test
    @DisplayName("closing the manager abandons its pending waits")
    void closeAbandonsWaits() throws Exception {
        GlobalLockManager holder = kit.manager();
        GlobalLockManager waiter = kit.manager();
        holder.lock("close-wait", waitAtMost(kit.patience()));
        CompletableFuture<LockHandle> waiting = waiter.lockAsync("close-wait", forever());
        waiter.close();
        assertThatThrownBy(() -> waiting.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOfAny(CancellationException.class, java.util.concurrent.ExecutionException.class);
    }
}
