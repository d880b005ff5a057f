/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.freeFor;
import static dev.globallock.tck.KitContext.millisSince;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockLostException;
import dev.globallock.LockState;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 7 of the lock contract: when a lease is gone, {@code isLocked()} turns false, the
 * listeners run once and a late release frees nothing of the next holder.
 *
 * <p>The group "7. lost leases" of {@link LockEngineCompatibilityKit}.
 */
abstract class LostLeasesClause {
    private final KitContext kit;

    LostLeasesClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    /** An engine decorator whose renewals are sent nowhere and never complete. */
    private static LockEngine renewalsHang(LockEngine engine) {
        return new ForwardingLockEngine(engine) {
            @Override
            public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                return new CompletableFuture<>();
            }
        };
    }

    @Test
    @DisplayName("the holder is told once when the backend forgets its lease")
    void holderIsToldWhenBackendForgets() throws Exception {
        GlobalLockManager holder = kit.managerWithWatchdogLease(kit.shortLease().multipliedBy(2));
        LockHandle held = holder.lock("forgotten", waitAtMost(kit.patience()));
        AtomicInteger told = new AtomicInteger();
        held.onLost(told::incrementAndGet);
        CompletableFuture<Void> lost = held.lost();

        kit.forgetOnBackend(kit.keyOf("forgotten"));

        kit.awaitTrue("the holder learns its lease is gone", () -> told.get() == 1);
        assertThat(held.isLocked()).isFalse();
        assertThat(held.state()).isEqualTo(LockState.LOST);
        assertThat(lost.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS)).isNull();
        AtomicInteger late = new AtomicInteger();
        held.onLost(late::incrementAndGet);
        assertThat(late.get())
                .as("a listener added after the loss runs at once")
                .isEqualTo(1);
        assertThatThrownBy(held::release).isInstanceOf(LockLostException.class);
        assertThat(told.get()).as("listeners run once").isEqualTo(1);
        assertThat(freeFor(kit.manager(), "forgotten")).isTrue();
    }

    @Test
    @DisplayName("a late release after the backend forgot the lease does not free the next holder's lock")
    void lateReleaseAfterLossKeepsNextHolder() throws Exception {
        GlobalLockManager holder = kit.managerWithWatchdogLease(kit.shortLease().multipliedBy(2));
        GlobalLockManager next = kit.manager();
        LockHandle stale = holder.lock("relost", waitAtMost(kit.patience()));
        kit.forgetOnBackend(kit.keyOf("relost"));
        LockHandle current = next.lock("relost", waitAtMost(kit.patience()));
        assertThat(current.fencingToken()).isGreaterThan(stale.fencingToken());
        stale.close();
        assertThat(current.isLocked()).isTrue();
        assertThat(freeFor(kit.manager(), "relost"))
                .as("still held by the next holder")
                .isFalse();
        current.release();
    }

    @Test
    @DisplayName("a normal release never fires lost-lease listeners and cancels lost()")
    void releaseDoesNotSignalLoss() {
        GlobalLockManager locks = kit.manager();
        LockHandle held = locks.lock("kept", waitAtMost(kit.patience()));
        AtomicBoolean told = new AtomicBoolean();
        held.onLost(() -> told.set(true));
        CompletableFuture<Void> lost = held.lost();
        held.release();
        assertThat(told).isFalse();
        assertThat(lost).isCancelled();
    }

    @Test
    @DisplayName("withLock reports a lease lost while the task ran")
    void withLockReportsLoss() {
        GlobalLockManager holder = kit.managerWithWatchdogLease(kit.shortLease().multipliedBy(2));
        assertThatThrownBy(() -> holder.withLock("task", waitAtMost(kit.patience()), () -> {
                    // a reentrant handle shares the task's lease, so it shows when the lease is lost
                    try (LockHandle sameLease = holder.lock("task", waitAtMost(kit.patience()))) {
                        kit.forgetOnBackend(kit.keyOf("task"));
                        kit.awaitTrue("the watchdog notices the loss", () -> !sameLease.isLocked());
                    }
                    return "done";
                }))
                .isInstanceOf(LockLostException.class)
                .hasMessageContaining("'task'");
    }

    @Test
    @DisplayName("a holder whose renewals never complete is told within one lease, from a timer")
    void holderWhoseRenewalsHangIsToldWithinOneLease() throws Exception {
        Duration lease = kit.shortLease();
        GlobalLockManager holder =
                kit.manager(b -> b.watchdogLease(lease).decorateEngine(LostLeasesClause::renewalsHang));
        long before = System.nanoTime();
        LockHandle held = holder.lock("renewals-hang", waitAtMost(kit.patience()));
        CompletableFuture<Void> lost = held.lost();

        lost.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        long told = millisSince(before);

        // the lease counts from the acquire's send time, later than `before`; the deadline is a
        // 1% + 2 ms margin short of the lease; the timer may run a little late on a busy machine
        assertThat(told)
                .as("ms from before the acquire until the holder was told")
                .isGreaterThanOrEqualTo(lease.toMillis() * 99 / 100 - 3)
                .isLessThan(lease.toMillis() + 500);
        assertThat(held.isLocked()).isFalse();
        assertThat(held.state()).isEqualTo(LockState.LOST);
        assertThatThrownBy(held::release).isInstanceOf(LockLostException.class);
    }

    @Test
    @DisplayName("isLocked() turns false at the lease deadline even while the renewal thread is starved")
    void isLockedTurnsFalseAtTheDeadlineWhileTheRenewalThreadIsStarved() throws Exception {
        Duration lease = kit.shortLease();
        AtomicLong jump = new AtomicLong();
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        GlobalLockManager holder = kit.manager(b -> b.watchdogLease(lease)
                .ticker(() -> System.nanoTime() + jump.get())
                .decorateEngine(engine -> new ForwardingLockEngine(engine) {
                    @Override
                    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                        // the watchdog's first renewal blocks the manager's only timer thread
                        renewing.countDown();
                        try {
                            unblock.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return super.renew(grants);
                    }
                }));
        try {
            LockHandle held = holder.lock("starved", waitAtMost(kit.patience()));
            assertThat(renewing.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .as("the watchdog's thread is blocked in a renewal")
                    .isTrue();
            assertThat(held.isLocked()).isTrue();

            jump.set(lease.toNanos()); // a whole lease passes; no thread of the manager can run

            assertThat(held.isLocked())
                    .as("isLocked() once a whole lease passed since the acquire")
                    .isFalse();
            assertThat(held.state()).isEqualTo(LockState.LOST);
        } finally {
            unblock.countDown();
        }
    }
}
