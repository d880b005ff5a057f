/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The release path of one manager: a handle's release (the caller waits, so an engine may run the
 * I/O on its thread), a release nobody waits for (the engine's work is dispatched), and releasing
 * everything when the manager closes. The last hold of a lease takes it out of the held set and
 * tells the event listener. Thread-safe.
 */
final class Releases implements LockRelease {
    /** The manager's logger (applications configure it by that name): what it says here is the manager's. */
    private static final System.Logger LOG = System.getLogger("dev.globallock.GlobalLockManager");

    private final ManagerContext manager;
    private final Set<HeldLock> held;
    private final Reentrancy reentrancy;
    private final OperationWaits waits;

    Releases(ManagerContext manager, Set<HeldLock> held, Reentrancy reentrancy, OperationWaits waits) {
        this.manager = manager;
        this.held = held;
        this.reentrancy = reentrancy;
        this.waits = waits;
    }

    @Override
    public void release(HeldLock lease, Reentrancy.Holds holds, boolean reportLoss) {
        LockState before = letGo(lease, holds);
        if (before == null) {
            return;
        }
        LockGrant grant = lease.grant();
        // A release goes through whatever the thread's interrupt flag says: it is short, bounded by
        // the operation timeout, and an interrupted thread must not leave its lock held until the
        // lease runs out. The flag is cleared meanwhile (an engine may run the release's I/O on this
        // thread) and set again afterwards, also if an interrupt arrived during the release.
        boolean interrupted = Thread.interrupted();
        try {
            if (lease.claimBackendRelease()) {
                interrupted |= waits.awaitUninterruptibly(manager.engine.release(grant), lease.name, "release");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (reportLoss && !before.isLocked()) {
            throw new LockLostException(
                    lease.name,
                    "lock '" + lease.name + "' was " + before.name().toLowerCase(Locale.ROOT)
                            + " before it was released: the work done under it since then was not protected");
        }
    }

    /**
     * A lease whose deadline passed: lets go of its grant on the backend in the background (the
     * holder's own release later sends nothing more). A failure is left to the backend's own lease
     * or session, which ends it anyway.
     */
    void releaseGoneLease(HeldLock lease) {
        LockGrant grant = lease.grant();
        if (grant != null && lease.claimBackendRelease()) {
            CallerRunsFuture.dispatch(manager.engine.release(grant)).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    LOG.log(
                            Level.DEBUG,
                            () -> "releasing lock '" + lease.name + "' after its lease deadline passed failed: "
                                    + failure);
                }
            });
        }
    }

    /** Drops one hold; when it was the last, releases the lease on the backend without waiting. */
    void releaseWithoutWaiting(HeldLock lease, Reentrancy.Holds holds) {
        if (letGo(lease, holds) != null && lease.claimBackendRelease()) {
            CallerRunsFuture.dispatch(manager.engine.release(lease.grant()));
        }
    }

    /**
     * Drops one hold; when it was the last, lets go of the lease and returns the state it was in
     * before; null while other holds remain or when it was let go of already.
     */
    private LockState letGo(HeldLock lease, Reentrancy.Holds holds) {
        if (!reentrancy.release(holds)) {
            return null;
        }
        LockState before = lease.release();
        if (before == null) {
            return null;
        }
        held.remove(lease);
        if (manager.hasEvents) {
            manager.events.released(lease.name, Duration.ofNanos(manager.ticker.read() - lease.grantedAtNanos()));
        }
        return before;
    }

    /**
     * Closing: lets go of every held lease without telling anyone, releases them on the backend
     * and waits for that up to the operation timeout; what is not released by then ends with its
     * lease.
     */
    void releaseAll() {
        List<CompletableFuture<Void>> releases = new ArrayList<>();
        for (HeldLock lease : List.copyOf(held)) {
            LockGrant grant = lease.grant();
            lease.forceReleased();
            held.remove(lease);
            if (grant != null && lease.claimBackendRelease()) {
                releases.add(CallerRunsFuture.dispatch(manager.engine.release(grant)));
            }
        }
        reentrancy.clear();
        try {
            CompletableFuture.allOf(releases.toArray(new CompletableFuture<?>[0]))
                    .get(manager.settings.operationTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(
                    Level.WARNING,
                    () -> "not every lock was released while closing the " + manager.engine.name()
                            + " lock manager; their leases end by themselves: " + e);
        }
    }
}
