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

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInterruptedException;
import dev.globallock.LockTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 4 of the lock contract: wait time zero is one attempt, a bounded wait gives up in time,
 * waiters are woken by the backend, and a waiter that gives up, is interrupted or is cancelled
 * leaves nothing behind.
 *
 * <p>The group "4. waiting" of {@link LockEngineCompatibilityKit}.
 */
abstract class WaitingClause {
    private final KitContext kit;

    WaitingClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("wait time zero makes one attempt and reports the lock busy")
    void waitZeroIsOneAttempt() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        first.lock("busy", waitAtMost(kit.patience()));
        long start = System.nanoTime();
        assertThat(second.tryLock("busy").isLocked()).isFalse();
        assertThatThrownBy(() -> second.lock("busy", waitAtMost(Duration.ZERO)))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("'busy'");
        assertThat(millisSince(start)).isLessThan(kit.patience().toMillis());
    }

    @Test
    @DisplayName("a bounded wait gives up after the wait time with a LockTimeoutException naming the lock")
    void boundedWaitTimesOut() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        first.lock("bounded", waitAtMost(kit.patience()));
        Duration wait = Duration.ofMillis(400);
        long start = System.nanoTime();
        assertThatThrownBy(() -> second.lock("bounded", waitAtMost(wait)))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("'bounded'")
                .hasMessageContaining("400ms");
        long elapsed = millisSince(start);
        assertThat(elapsed).isGreaterThanOrEqualTo(wait.toMillis() - 20).isLessThan(wait.toMillis() + 5_000);
        try (LockHandle attempt = second.tryLock("bounded", waitAtMost(wait))) {
            assertThat(attempt.isLocked())
                    .as("tryLock returns an unacquired handle instead")
                    .isFalse();
        }
    }

    @Test
    @DisplayName("an unbounded waiter is woken and granted the lock when the holder releases")
    void unboundedWaiterIsGranted() throws Exception {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        LockHandle held = first.lock("queue", waitAtMost(kit.patience()));
        CompletableFuture<LockHandle> waiting = second.lockAsync("queue", forever());
        assertThat(waiting).isNotDone();
        held.release();
        LockHandle granted = waiting.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(granted.isLocked()).isTrue();
        assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
        granted.release();
    }

    @Test
    @DisplayName("a blocked lock() is handed the lock promptly after release, by notification")
    void blockedWaiterHandoff() throws Exception {
        GlobalLockManager first = kit.managerWithWatchdogLease(Duration.ofSeconds(30));
        GlobalLockManager second = kit.managerWithWatchdogLease(Duration.ofSeconds(30));
        LockHandle held = first.lock("handoff", waitAtMost(kit.patience()));
        CountDownLatch started = new CountDownLatch(1);
        Future<Long> waiter = kit.threads(1).submit(() -> {
            started.countDown();
            try (LockHandle granted = second.lock("handoff", forever())) {
                return System.nanoTime();
            }
        });
        started.await();
        kit.awaitTrue("the waiter is queued", () -> !waiter.isDone());
        long releasedAt = System.nanoTime();
        held.release();
        long grantedAt = waiter.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(grantedAt - releasedAt))
                .as("handoff time; the watchdog lease is 30 s, so only a notification explains a fast one")
                .isLessThan(5_000);
    }

    @Test
    @DisplayName("a waiter that timed out leaves nothing behind on the server")
    void timedOutWaiterLeavesNothing() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        LockHandle held = first.lock("residue", waitAtMost(kit.patience()));
        assertThatThrownBy(() -> second.lock("residue", waitAtMost(Duration.ofMillis(200))))
                .isInstanceOf(LockTimeoutException.class);
        held.release();
        kit.awaitAbandonedWaiterGone("residue");
    }

    @Test
    @DisplayName("an interrupted waiter keeps its interrupt flag and leaves nothing behind")
    void interruptedWaiterLeavesNothing() throws Exception {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        LockHandle held = first.lock("interrupt", waitAtMost(kit.patience()));
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<Boolean> waiter = kit.threads(1).submit(() -> {
            waiterThread.set(Thread.currentThread());
            try {
                second.lock("interrupt", forever());
                return false;
            } catch (LockInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        });
        kit.awaitTrue(
                "the waiter blocks",
                () -> waiterThread.get() != null
                        && (waiterThread.get().getState() == Thread.State.WAITING
                                || waiterThread.get().getState() == Thread.State.TIMED_WAITING));
        waiterThread.get().interrupt();
        assertThat(waiter.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .as("interrupt flag restored")
                .isTrue();
        held.release();
        kit.awaitAbandonedWaiterGone("interrupt");
    }

    @Test
    @DisplayName("lock() and tryLock() with the interrupt flag already set throw at once, keep the flag, send nothing")
    void interruptFlagSetBeforeLock() {
        AtomicReference<GlobalLockManager> out = new AtomicReference<>();
        CountingEngine engine = kit.countingManager(out, null);
        GlobalLockManager locks = out.get();
        LockHandle held = locks.lock("pre-interrupted-held", waitAtMost(kit.patience()));
        int acquiresBefore = engine.acquires.get();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> locks.lock("pre-interrupted", waitAtMost(kit.patience())))
                    .isInstanceOf(LockInterruptedException.class)
                    .hasMessageContaining("'pre-interrupted'");
            assertThat(Thread.currentThread().isInterrupted()).as("flag kept").isTrue();
            assertThatThrownBy(() -> locks.tryLock("pre-interrupted")).isInstanceOf(LockInterruptedException.class);
            assertThatThrownBy(() -> locks.lock("pre-interrupted-held", waitAtMost(kit.patience())))
                    .as("a reentrant acquisition too")
                    .isInstanceOf(LockInterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("flag kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(engine.acquires.get()).as("acquisitions sent to the engine").isEqualTo(acquiresBefore);
        assertThat(held.holdCount()).isEqualTo(1);
        held.release();
        assertThat(freeFor(kit.manager(), "pre-interrupted")).isTrue();
    }

    @Test
    @DisplayName(
            "close() and release() with the interrupt flag set release on the backend, throw nothing, keep the flag")
    void interruptFlagSetBeforeRelease() {
        GlobalLockManager locks = kit.manager();
        LockHandle closed = locks.lock("interrupted-close", waitAtMost(kit.patience()));
        LockHandle released = locks.lock("interrupted-release", waitAtMost(kit.patience()));
        Thread.currentThread().interrupt();
        try {
            closed.close();
            released.release();
            assertThat(Thread.currentThread().isInterrupted()).as("flag kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        GlobalLockManager other = kit.manager();
        assertThat(freeFor(other, "interrupted-close")).isTrue();
        assertThat(freeFor(other, "interrupted-release")).isTrue();
    }

    @Test
    @DisplayName("cancelling an async wait abandons it and leaves nothing behind")
    void cancelledAsyncWaitLeavesNothing() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        LockHandle held = first.lock("cancel", waitAtMost(kit.patience()));
        CompletableFuture<LockHandle> waiting = second.lockAsync("cancel", forever());
        assertThat(waiting.cancel(true)).isTrue();
        held.release();
        kit.awaitAbandonedWaiterGone("cancel");
        assertThatThrownBy(waiting::join).isInstanceOf(CancellationException.class);
    }

    @Test
    @DisplayName("an async wait with a bound fails with LockTimeoutException")
    void asyncWaitTimesOut() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        first.lock("async-timeout", waitAtMost(kit.patience()));
        CompletableFuture<LockHandle> waiting = second.lockAsync("async-timeout", waitAtMost(Duration.ofMillis(300)));
        assertThatThrownBy(() -> waiting.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(LockTimeoutException.class);
        CompletableFuture<LockHandle> once = second.lockAsync("async-timeout", waitAtMost(Duration.ZERO));
        assertThatThrownBy(() -> once.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(LockTimeoutException.class);
    }
}
