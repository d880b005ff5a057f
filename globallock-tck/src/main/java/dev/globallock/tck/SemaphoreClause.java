/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.forever;
import static dev.globallock.tck.KitContext.millisSince;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInfo;
import dev.globallock.LockInterruptedException;
import dev.globallock.LockSemaphore;
import dev.globallock.LockState;
import dev.globallock.LockTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Semaphores, for engines that declare {@link Capability#SEMAPHORE}: never more than N holders
 * across managers, a crashed holder's permit back within one lease, the lost-lease signal, waits
 * that leave nothing behind, fencing order, inspection, and permits that disagree. An engine without
 * the capability skips these and checks that asking is a clear error naming it.
 *
 * <p>The group "12. semaphores" of {@link LockEngineCompatibilityKit}.
 */
abstract class SemaphoreClause {
    private final KitContext kit;

    SemaphoreClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    private GlobalLockManager managerWithSemaphores() {
        GlobalLockManager manager = kit.manager();
        assumeTrue(
                manager.capabilities().has(Capability.SEMAPHORE),
                "the engine declares no SEMAPHORE capability: see withoutTheCapabilityAskingIsAClearError");
        return manager;
    }

    /** Takes every permit it can in one attempt each; the handles that got one. */
    private static List<LockHandle> takeAll(LockSemaphore semaphore, int attempts) {
        List<LockHandle> taken = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            LockHandle handle = semaphore.tryAcquire();
            if (handle.isLocked()) {
                taken.add(handle);
            }
        }
        return taken;
    }

    @Test
    @DisplayName("two managers, six threads: never more than N holders at once, and N do hold at once")
    void neverMoreThanNHolders() throws Exception {
        int permits = 2;
        List<LockSemaphore> semaphores = List.of(
                managerWithSemaphores().semaphore("workers", permits),
                kit.manager().semaphore("workers", permits));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = kit.threads(6);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            LockSemaphore semaphore = semaphores.get(t % 2);
            work.add(pool.submit(() -> {
                for (int r = 0; r < 12; r++) {
                    try (LockHandle permit = semaphore.acquire(waitAtMost(kit.patience()))) {
                        int now = inside.incrementAndGet();
                        most.accumulateAndGet(now, Math::max);
                        Thread.yield();
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : work) {
            future.get(kit.patience().toMillis() * 3, TimeUnit.MILLISECONDS);
        }
        assertThat(most.get()).as("holders at once").isLessThanOrEqualTo(permits);
        List<LockHandle> all = takeAll(semaphores.get(0), permits + 1);
        assertThat(all).as("N permits held at once, not N+1").hasSize(permits);
        all.forEach(LockHandle::close);
    }

    @Test
    @DisplayName("N permits across managers, then busy; inspect shows the holders; tokens strictly increase")
    void permitsTokensAndInspection() {
        GlobalLockManager one = managerWithSemaphores();
        LockSemaphore first = one.semaphore("exports", 3);
        LockSemaphore second = kit.manager().semaphore("exports", 3);
        assertThat(first.permits()).isEqualTo(3);
        assertThat(first.name()).isEqualTo("exports");
        List<LockHandle> held = new ArrayList<>();
        held.add(first.tryAcquire());
        held.add(second.tryAcquire());
        held.add(first.tryAcquire());
        long previous = Long.MIN_VALUE;
        for (LockHandle handle : held) {
            assertThat(handle.isLocked()).isTrue();
            assertThat(handle.holdCount()).as("permits are not reentrant").isEqualTo(1);
            assertThat(handle.fencingToken()).isGreaterThan(previous);
            previous = handle.fencingToken();
        }
        assertThat(second.tryAcquire().isLocked()).as("all 3 taken").isFalse();
        assertThat(one.tryLock("exports").isLocked())
                .as("the lock of the same name is another thing")
                .isTrue();
        first.inspect().ifPresent(info -> {
            assertThat(info.isHeld()).isTrue();
            assertThat(info.holders()).isEqualTo(3);
        });
        held.get(1).release();
        LockHandle again = second.tryAcquire();
        assertThat(again.isLocked()).as("the released permit came back").isTrue();
        assertThat(again.fencingToken()).isGreaterThan(previous);
        again.close();
        held.forEach(LockHandle::close);
        first.inspect().map(LockInfo::isHeld).ifPresent(h -> assertThat(h).isFalse());
    }

    @Test
    @DisplayName("the permit of a holder that crashed comes back within one lease")
    void crashedHoldersPermitComesBack() {
        Duration lease = kit.shortLease().multipliedBy(2);
        AtomicReference<GlobalLockManager> crashing = new AtomicReference<>();
        CountingEngine engine = kit.countingManager(crashing, lease);
        assumeTrue(crashing.get().capabilities().has(Capability.SEMAPHORE), "no semaphores");
        LockSemaphore survivor = kit.manager().semaphore("crash", 1);
        assertThat(crashing.get().semaphore("crash", 1).tryAcquire().isLocked()).isTrue();
        long crashedAt = System.nanoTime();
        kit.crash(engine);
        try (LockHandle taken =
                survivor.acquire(waitAtMost(kit.crashRecoveryBound(lease).plusSeconds(5)))) {
            assertThat(taken.isLocked()).isTrue();
            assertThat(millisSince(crashedAt))
                    .isLessThanOrEqualTo(kit.crashRecoveryBound(lease).toMillis());
        }
    }

    @Test
    @DisplayName("the watchdog keeps a live holder's permit past its lease")
    void watchdogKeepsThePermit() {
        // twice the short lease, as the lock's own watchdog test: renewals on a loaded machine lag
        Duration lease = kit.shortLease().multipliedBy(2);
        GlobalLockManager holder = kit.managerWithWatchdogLease(lease);
        assumeTrue(holder.capabilities().has(Capability.SEMAPHORE), "no semaphores");
        LockHandle permit = holder.semaphore("renewed", 1).acquire(waitAtMost(kit.patience()));
        LockSemaphore other = kit.manager().semaphore("renewed", 1);
        long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() - until < 0) {
            assertThat(other.tryAcquire().isLocked()).as("taken while renewed").isFalse();
            assertThat(permit.isLocked()).isTrue();
            LockSupport.parkNanos(lease.toNanos() / 8);
        }
        permit.release();
        assertThat(other.tryAcquire().isLocked()).isTrue();
    }

    @Test
    @DisplayName("a permit whose renewals never complete is reported lost within one lease")
    void lostLeaseSignal() throws Exception {
        Duration lease = kit.shortLease();
        GlobalLockManager holder =
                kit.manager(b -> b.watchdogLease(lease).decorateEngine(ReadWriteLockClause::renewalsHang));
        assumeTrue(holder.capabilities().has(Capability.SEMAPHORE), "no semaphores");
        LockHandle permit = holder.semaphore("lost", 1).acquire(waitAtMost(kit.patience()));
        AtomicInteger told = new AtomicInteger();
        permit.onLost(told::incrementAndGet);
        permit.lost().get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(permit.state()).isEqualTo(LockState.LOST);
        kit.awaitTrue("the listener ran once", () -> told.get() == 1);
        assertThat(permit.isLocked()).isFalse();
    }

    @Test
    @DisplayName("wait zero, bounded and unbounded waits; timed-out, cancelled and interrupted waiters leave nothing")
    void waitsLeaveNothingBehind() throws Exception {
        LockSemaphore holder = managerWithSemaphores().semaphore("queue", 1);
        LockSemaphore waiter = kit.manager().semaphore("queue", 1);
        LockHandle held = holder.tryAcquire();
        assertThat(waiter.tryAcquire().isLocked()).isFalse();
        assertThatThrownBy(() -> waiter.acquire(waitAtMost(Duration.ZERO)))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("'queue'");
        long start = System.nanoTime();
        assertThatThrownBy(() -> waiter.acquire(waitAtMost(Duration.ofMillis(300))))
                .isInstanceOf(LockTimeoutException.class);
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(280);
        CompletableFuture<LockHandle> cancelled = waiter.acquireAsync(forever());
        assertThat(cancelled.cancel(true)).isTrue();
        AtomicReference<Thread> blocked = new AtomicReference<>();
        Future<Boolean> interrupted = kit.threads(1).submit(() -> {
            blocked.set(Thread.currentThread());
            try {
                waiter.acquire(forever());
                return false;
            } catch (LockInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        });
        kit.awaitTrue(
                "the waiter blocks",
                () -> blocked.get() != null && blocked.get().getState() != Thread.State.RUNNABLE);
        blocked.get().interrupt();
        assertThat(interrupted.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .as("flag kept")
                .isTrue();
        CompletableFuture<LockHandle> unbounded = waiter.acquireAsync(forever());
        held.release();
        LockHandle granted = unbounded.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
        granted.release();
        assertThatThrownBy(cancelled::join).isInstanceOf(CancellationException.class);
        LockSemaphore probe = kit.manager().semaphore("queue", 1);
        kit.awaitTrue("the permit free, nothing left queued", () -> {
            try (LockHandle handle = probe.tryAcquire()) {
                return handle.isLocked();
            }
        });
    }

    @Test
    @DisplayName("a user that asks with other permits than the holders is told so, naming both")
    void permitsMustAgree() {
        LockSemaphore two = managerWithSemaphores().semaphore("agree", 2);
        assumeTrue(kit.detectsPermitsDisagreement(), "the engine cannot tell");
        LockHandle held = two.tryAcquire();
        assertThatThrownBy(() -> kit.manager().semaphore("agree", 5).tryAcquire())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("semaphore 'agree'")
                .hasMessageContaining("'5'")
                .hasMessageContaining("2 permits");
        held.release();
    }

    @Test
    @DisplayName("an engine without the capability: asking for a semaphore is a clear error naming the engine")
    void withoutTheCapabilityAskingIsAClearError() {
        GlobalLockManager manager = kit.manager();
        assumeFalse(manager.capabilities().has(Capability.SEMAPHORE), "the engine has semaphores");
        assertThatThrownBy(() -> manager.semaphore("exports", 3))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("engine '" + manager.engineName() + "' at ")
                .hasMessageContaining("has no semaphores (its capabilities lack SEMAPHORE)")
                .hasMessageContaining("semaphore 'exports' cannot be made");
    }
}
