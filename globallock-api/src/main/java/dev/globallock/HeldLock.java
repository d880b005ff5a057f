/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockGrant;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One lease as the manager sees it: the engine's grant, the state, the deadline and its lost-lease
 * listeners. Created before the acquire is sent, so that the engine's {@link LeaseListener} calls
 * have somewhere to land; thread-safe. No I/O is done while its mutex is held. How many handles
 * share it is {@link Reentrancy}'s to count: the lease only learns when the last one lets go
 * ({@link #release()}).
 *
 * <p>The lease counts as gone from its deadline on (see {@link LeaseDeadlines}: the backend's last
 * confirmation plus the lease, less a drift margin), whatever any thread has done since. Who is
 * told of a loss, and how, is {@link LostLeaseListeners}'s.
 */
final class HeldLock implements LeaseListener {
    private static final System.Logger LOG = System.getLogger(HeldLock.class.getName());

    final String name;
    final String key;
    final boolean watchdog;
    final long leaseNanos;

    private final Ticker ticker;
    private final long marginNanos;
    /** Where listeners run when a caller's thread (not a timer) notices that the deadline passed. */
    private final Executor listenerExecutor;

    private final ReentrantLock mutex = new ReentrantLock();
    /** Made on first use: most leases are released without anyone asking. Guarded by the mutex. */
    private LostLeaseListeners lostListeners;

    private LockState state = LockState.NOT_ACQUIRED;
    private LockGrant grant;
    private Throwable lostBeforeGrant;
    /** The holder let go of it (the last handle released, or the manager closed). */
    private boolean released;
    /** When the lease was last confirmed plus the lease: the backend keeps it at least until then. */
    private long validUntilNanos;
    /**
     * validUntilNanos less the drift margin: from here on the lease counts as gone. Written under
     * the mutex, read without it by the deadline timer's bookkeeping.
     */
    private volatile long deadlineNanos;

    private long grantedAtNanos;
    private ScheduledFuture<?> expiryTimer;
    /** Whether the grant is let go of on the backend already (at the deadline, or by the holder). */
    private boolean backendReleaseClaimed;

    private final Consumer<HeldLock> deadlinePassed;

    /** A lease whose listeners run on the thread that notices the loss. */
    HeldLock(String name, String key, boolean watchdog, long leaseNanos, Ticker ticker) {
        this(name, key, watchdog, leaseNanos, ticker, Runnable::run, null);
    }

    /**
     * @param listenerExecutor where listeners run when an application thread (not a timer) notices
     *     that the deadline passed
     * @param deadlinePassed told (with the listeners) when the deadline marks the lease gone, so that
     *     the grant is let go of on the backend; null for none
     */
    HeldLock(
            String name,
            String key,
            boolean watchdog,
            long leaseNanos,
            Ticker ticker,
            Executor listenerExecutor,
            Consumer<HeldLock> deadlinePassed) {
        this.deadlinePassed = deadlinePassed;
        this.ticker = ticker;
        this.listenerExecutor = listenerExecutor;
        this.marginNanos = LeaseDeadlines.driftMarginNanos(leaseNanos);
        this.name = name;
        this.key = key;
        this.watchdog = watchdog;
        this.leaseNanos = leaseNanos;
    }

    /**
     * Records the grant, received at {@code receivedAtNanos}: the lease counts from when the
     * backend confirmed it ({@link LockGrant#leaseConfirmedAtNanos()}), or from its arrival when the
     * engine cannot tell.
     */
    void granted(LockGrant grant, long receivedAtNanos) {
        long confirmedAt = LeaseDeadlines.confirmedAtNanos(grant, receivedAtNanos);
        List<Runnable> toRun = List.of();
        mutex.lock();
        try {
            this.grant = grant;
            this.validUntilNanos = confirmedAt + leaseNanos;
            this.deadlineNanos = validUntilNanos - marginNanos;
            this.grantedAtNanos = receivedAtNanos;
            this.state = LockState.HELD;
            if (lostBeforeGrant != null) {
                toRun = markGone(LockState.LOST);
            }
        } finally {
            mutex.unlock();
        }
        runListeners(toRun);
    }

    LockGrant grant() {
        mutex.lock();
        try {
            return grant;
        } finally {
            mutex.unlock();
        }
    }

    /** The state, after checking the deadline against the ticker. */
    LockState state() {
        List<Runnable> toRun;
        LockState now;
        mutex.lock();
        try {
            toRun = goneIfPastDeadline(ticker.read());
            now = state;
        } finally {
            mutex.unlock();
        }
        runElsewhere(toRun);
        return now;
    }

    /**
     * From the deadline timer: marks the lease gone if its deadline has passed by {@code now} and
     * runs its listeners on this thread. Returns whether the lease is still live.
     */
    boolean checkDeadline(long now) {
        List<Runnable> toRun;
        boolean live;
        mutex.lock();
        try {
            toRun = goneIfPastDeadline(now);
            live = state.isLocked();
        } finally {
            mutex.unlock();
        }
        runListeners(toRun);
        return live;
    }

    /** The instant from which the lease counts as gone; moves only later, with renewals. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** Whether the holder let go of it: released, or forgotten when the manager closed. */
    boolean isReleased() {
        mutex.lock();
        try {
            return released;
        } finally {
            mutex.unlock();
        }
    }

    long grantedAtNanos() {
        mutex.lock();
        try {
            return grantedAtNanos;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * The holder lets go (its last handle was released). Returns the state the lease was in just
     * before (so the caller can tell a clean release from a lost one), or null when it was let go
     * of already (the manager closed meanwhile).
     */
    LockState release() {
        CompletableFuture<Void> lost = null;
        List<Runnable> toRun = null;
        mutex.lock();
        try {
            if (released) {
                return null;
            }
            released = true;
            // a deadline that passed before this release is a loss the release reports, timer or not
            toRun = goneIfPastDeadline(ticker.read());
            LockState before = state;
            if (state.isLocked()) {
                state = LockState.RELEASED;
                lost = lostFuture(lostListeners); // a lease gone before the release completes it instead
            }
            if (expiryTimer != null) {
                expiryTimer.cancel(false);
            }
            return before;
        } finally {
            mutex.unlock();
            runElsewhere(toRun);
            if (lost != null) {
                lost.cancel(false);
            }
        }
    }

    /**
     * Claims the one release of the grant on the backend: true for the first caller (the deadline's
     * background release or the holder's release), false after.
     */
    boolean claimBackendRelease() {
        mutex.lock();
        try {
            if (backendReleaseClaimed) {
                return false;
            }
            backendReleaseClaimed = true;
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /** Lets go without telling anyone (the manager is closing). */
    void forceReleased() {
        CompletableFuture<Void> lost = null;
        mutex.lock();
        try {
            lost = lostFuture(lostListeners);
            released = true;
            if (state.isLocked()) {
                state = LockState.RELEASED;
            }
            if (expiryTimer != null) {
                expiryTimer.cancel(false);
            }
        } finally {
            mutex.unlock();
            if (lost != null) {
                lost.cancel(false);
            }
        }
    }

    void expiryTimer(ScheduledFuture<?> timer) {
        mutex.lock();
        try {
            this.expiryTimer = timer;
        } finally {
            mutex.unlock();
        }
    }

    long validUntilNanos() {
        mutex.lock();
        try {
            return validUntilNanos;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A renewal sent at {@code sentAtNanos} succeeded: the lease was confirmed then. Too late for a
     * lease whose deadline passed meanwhile: once gone it never comes back.
     */
    void renewed(long sentAtNanos) {
        mutex.lock();
        try {
            if (state.isLocked() && sentAtNanos + leaseNanos - validUntilNanos > 0) {
                validUntilNanos = sentAtNanos + leaseNanos;
                deadlineNanos = validUntilNanos - marginNanos;
            }
        } finally {
            mutex.unlock();
        }
    }

    /** The explicit lease's timer: its deadline has come. */
    void expired() {
        List<Runnable> toRun;
        mutex.lock();
        try {
            toRun = markGone(LockState.EXPIRED);
        } finally {
            mutex.unlock();
        }
        runListeners(toRun);
    }

    @Override
    public void leaseLost(Throwable cause) {
        List<Runnable> toRun;
        mutex.lock();
        try {
            if (state == LockState.NOT_ACQUIRED) {
                lostBeforeGrant = cause;
                return;
            }
            // an explicit lease the backend dropped once its time was up expired; anything else was lost
            boolean timeUp = !watchdog && ticker.read() - deadlineNanos >= 0;
            toRun = markGone(timeUp ? LockState.EXPIRED : LockState.LOST);
        } finally {
            mutex.unlock();
        }
        if (toRun != null) {
            LOG.log(Level.WARNING, () -> "lease of lock '" + name + "' was lost: " + cause);
        }
        runListeners(toRun);
    }

    @Override
    public void ownershipUncertain() {
        mutex.lock();
        try {
            if (state == LockState.HELD) {
                state = LockState.UNCERTAIN;
            }
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public void ownershipConfirmed() {
        mutex.lock();
        try {
            if (state == LockState.UNCERTAIN) {
                state = LockState.HELD;
            }
        } finally {
            mutex.unlock();
        }
    }

    /** Adds a listener; runs it at once if the lease is already gone. */
    void onLost(Runnable listener) {
        List<Runnable> toRun;
        mutex.lock();
        try {
            toRun = goneIfPastDeadline(ticker.read()); // the listeners added before; this one runs here
            if (state == LockState.NOT_ACQUIRED || state.isLocked()) {
                if (lostListeners == null) {
                    lostListeners = new LostLeaseListeners();
                }
                lostListeners.add(listener);
                return;
            }
            if (state == LockState.RELEASED) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        runElsewhere(toRun);
        runListeners(List.of(listener));
    }

    /**
     * Completes when the lease is lost or expires while held; cancelled when it is released first.
     * The same future on every call.
     */
    CompletableFuture<Void> lostFuture() {
        CompletableFuture<Void> lost;
        LockState now;
        List<Runnable> toRun;
        mutex.lock();
        try {
            toRun = goneIfPastDeadline(ticker.read());
            if (lostListeners == null) {
                lostListeners = new LostLeaseListeners();
            }
            lost = lostListeners.future();
            if (lost != null) {
                now = null;
            } else {
                lost = lostListeners.newFuture();
                now = state;
            }
        } finally {
            mutex.unlock();
        }
        runElsewhere(toRun);
        if (now == LockState.RELEASED) {
            lost.cancel(false);
        } else if (now == LockState.LOST || now == LockState.EXPIRED) {
            lost.complete(null);
        }
        return lost;
    }

    /**
     * Called with the mutex held: if the lease is live and its deadline has passed by {@code now},
     * marks it gone ({@link LockState#LOST} for a watchdog lease, {@link LockState#EXPIRED} for an
     * explicit one) and returns the listeners to run outside the mutex; else null.
     */
    private List<Runnable> goneIfPastDeadline(long now) {
        if (grant == null || !state.isLocked() || now - deadlineNanos < 0) {
            return null;
        }
        List<Runnable> toRun = markGone(watchdog ? LockState.LOST : LockState.EXPIRED);
        if (toRun != null && deadlinePassed != null) {
            // the backend may still hold it (a server that was frozen, a session that survived): let
            // it go there too, or nobody gets the lock until the backend's own lease or session ends
            toRun.add(() -> deadlinePassed.accept(this));
        }
        if (watchdog && toRun != null) {
            toRun.add(0, LeaseDeadlines.watchdogLeaseRanOut(name, now, validUntilNanos, leaseNanos, marginNanos));
        }
        return toRun;
    }

    /**
     * Moves a live lease to a gone state; returns the listeners to run outside the mutex, or null if
     * the lease was not live.
     */
    private List<Runnable> markGone(LockState gone) {
        if (!state.isLocked()) {
            return null;
        }
        state = gone;
        if (expiryTimer != null && gone != LockState.EXPIRED) {
            expiryTimer.cancel(false);
        }
        return lostListeners == null ? new ArrayList<>(1) : lostListeners.takeForLoss();
    }

    private static CompletableFuture<Void> lostFuture(LostLeaseListeners listeners) {
        return listeners == null ? null : listeners.future();
    }

    /** Runs the listeners on the listener executor: the caller is an application thread. */
    private void runElsewhere(List<Runnable> toRun) {
        LostLeaseListeners.runOn(listenerExecutor, name, toRun);
    }

    private void runListeners(List<Runnable> toRun) {
        LostLeaseListeners.run(name, toRun);
    }

    @Override
    public String toString() {
        return "HeldLock{" + name + ", " + state() + "}";
    }
}
