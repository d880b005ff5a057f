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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 3 of the lock contract: an explicit lease frees the lock by itself, the watchdog keeps a
 * live holder's lock, and a crashed holder's lock frees itself within one lease (or the engine's
 * {@link LockEngineCompatibilityKit#crashRecoveryBound crash recovery bound}).
 *
 * <p>The group "3. leases" of {@link LockEngineCompatibilityKit}.
 */
abstract class LeasesClause {
    private final KitContext kit;

    LeasesClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("an explicit lease frees the lock by itself, not before it elapses")
    void explicitLeaseExpires() {
        kit.assumeLeaseTimes();
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        AtomicBoolean told = new AtomicBoolean();
        long start = System.nanoTime();
        LockHandle held = first.lock("lease", kit.lease(kit.shortLease()));
        held.onLost(() -> told.set(true));
        try (LockHandle next = second.lock("lease", waitAtMost(kit.patience()))) {
            assertThat(next.isLocked()).isTrue();
            assertThat(millisSince(start))
                    .as("freed only after the lease")
                    .isGreaterThanOrEqualTo(kit.shortLease().toMillis() - 50);
        }
        kit.awaitTrue("the holder's handle reports EXPIRED", () -> held.state() == LockState.EXPIRED);
        kit.awaitTrue("onLost ran", told::get);
        assertThat(held.lost()).isCompleted();
    }

    @Test
    @DisplayName("the watchdog keeps a lock alive past its lease while the holder lives")
    void watchdogKeepsLockAlive() {
        Duration lease = kit.shortLease().multipliedBy(2);
        GlobalLockManager holder = kit.managerWithWatchdogLease(lease);
        GlobalLockManager other = kit.manager();
        LockHandle held = holder.lock("watchdog", waitAtMost(kit.patience()));
        long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() - until < 0) {
            assertThat(freeFor(other, "watchdog"))
                    .as("taken by another manager while renewed")
                    .isFalse();
            assertThat(held.isLocked()).isTrue();
            LockSupport.parkNanos(lease.toNanos() / 8);
        }
        held.release();
        assertThat(freeFor(other, "watchdog")).isTrue();
    }

    @Test
    @DisplayName("the lock of a holder that crashed frees itself within one lease")
    void crashedHolderFreesWithinOneLease() {
        Duration lease = kit.shortLease().multipliedBy(2);
        AtomicReference<GlobalLockManager> crashing = new AtomicReference<>();
        CountingEngine engine = kit.countingManager(crashing, lease);
        GlobalLockManager survivor = kit.manager();
        LockHandle held = crashing.get().lock("crash", waitAtMost(kit.patience()));
        assertThat(held.isLocked()).isTrue();

        long crashedAt = System.nanoTime();
        kit.crash(engine);

        try (LockHandle taken =
                survivor.lock("crash", waitAtMost(kit.crashRecoveryBound(lease).plusSeconds(5)))) {
            assertThat(taken.isLocked()).isTrue();
            assertThat(millisSince(crashedAt))
                    .isLessThanOrEqualTo(kit.crashRecoveryBound(lease).toMillis());
        }
    }

    @Test
    @DisplayName("a lease time the engine cannot honour is rejected with a clear error")
    void unsupportedLeaseRejected() {
        GlobalLockManager locks = kit.manager();
        if (locks.capabilities().has(Capability.LEASE_TIME)) {
            Duration tooShort = locks.capabilities().minimumLeaseTime().minusMillis(1);
            assumeTrue(!tooShort.isZero() && !tooShort.isNegative(), "any positive lease is supported");
            assertThatThrownBy(() -> locks.lock(
                            "lease", LockOptions.builder().leaseTime(tooShort).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'lease'")
                    .hasMessageContaining("at least");
        } else {
            assertThatThrownBy(() -> locks.lock(
                            "lease",
                            LockOptions.builder()
                                    .leaseTime(Duration.ofSeconds(10))
                                    .build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'lease'")
                    .hasMessageContaining(locks.engineName());
        }
    }
}
