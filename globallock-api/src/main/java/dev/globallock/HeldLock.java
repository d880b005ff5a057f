/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockGrant;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * <h2>The lease deadline</h2>
 *
 * The lease was last confirmed by the backend at a known reading of the ticker: the send time of
 * the request that established it ({@link LockGrant#leaseConfirmedAtNanos()}), then the send time
 * of each renewal the backend accepted. The backend started its own timer no earlier, so the lock
 * is safe until that reading plus the lease, as long as the two clocks run at the same rate; the
 * deadline is that instant less a drift margin ({@link #driftMarginNanos}). Once it has passed the
 * lease is gone as far as the holder can know, whatever any thread has done since: every read of
 * the state checks the ticker, and a timer (the explicit lease's own, or the watchdog's deadline
 * timer) runs the listeners at the deadline. A watchdog lease then becomes {@link LockState#LOST}
 * (as when renewals failed for a whole lease), an explicit lease {@link LockState#EXPIRED}.
 */
final class HeldLock implements LeaseListener {
    private static final System.Logger LOG = System.getLogger(HeldLock.class.getName());

    /** The fixed part of the drift margin: the backends count leases in whole milliseconds. */
    private static final long DRIFT_FIXED_NANOS = 2_000_000L;

    /**
     * The margin between the holder's deadline and the earliest moment the backend may free the
     * lock: 1% of the lease plus 2 ms, as Redlock's validity time. The holder's and the server's
     * monotonic clocks may run at slightly different rates (NTP slews each by at most 500 ppm, so
     * two disciplined clocks differ by at most 0.1%; 1% leaves room for worse virtual clocks), and
     * the servers count leases in whole milliseconds (Redis' PX, etcd's and ZooKeeper's tick-based
     * expiry round up, never down).
     */
    static long driftMarginNanos(long leaseNanos) {
        return leaseNanos / 100 + DRIFT_FIXED_NANOS;
    }

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
    private CompletableFuture<Void> lostFuture;
    /** Made on first use. Guarded by the mutex. */
    private List<Runnable> listeners;

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
        this.marginNanos = driftMarginNanos(leaseNanos);
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
        OptionalLong reported = grant.leaseConfirmedAtNanos();
        long confirmedAt = reported.isPresent() && reported.getAsLong() - receivedAtNanos < 0
                ? reported.getAsLong()
                : receivedAtNanos;
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
                lost = lostFuture; // a lease gone before the release completes it instead
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
            lost = lostFuture;
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

    /**
     * A handle's lost-lease listener: a handle released while other holds keep the lease stays
     * silent. Whether it wants to hear is decided when the loss is noticed, so that a handle open at
     * that moment hears of it even if it is released before its listener gets to run.
     */
    interface HandleListener extends Runnable {
        /** Whether the handle was still open; asked with the lease's mutex held, when the loss is noticed. */
        boolean wanted();
    }

    /** Adds a listener; runs it at once if the lease is already gone. */
    void onLost(Runnable listener) {
        List<Runnable> toRun;
        mutex.lock();
        try {
            toRun = goneIfPastDeadline(ticker.read()); // the listeners added before; this one runs here
            if (state == LockState.NOT_ACQUIRED || state.isLocked()) {
                if (listeners == null) {
                    listeners = new ArrayList<>(2);
                }
                listeners.add(listener);
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
            if (lostFuture != null) {
                lost = lostFuture;
                now = null;
            } else {
                lost = new CompletableFuture<>();
                lostFuture = lost;
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
            long sinceConfirmed = now - (validUntilNanos - leaseNanos);
            toRun.add(
                    0,
                    () -> LOG.log(
                            Level.WARNING,
                            () -> "lease of lock '" + name + "' is lost: the backend last confirmed it "
                                    + Durations.format(Duration.ofNanos(sinceConfirmed)) + " ago, and its lease of "
                                    + Durations.format(Duration.ofNanos(leaseNanos)) + " less a drift margin of "
                                    + Durations.format(Duration.ofNanos(marginNanos))
                                    + " has passed without a renewal it confirmed"));
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
        List<Runnable> toRun = new ArrayList<>(listeners == null ? 1 : listeners.size() + 1);
        if (listeners != null) {
            for (Runnable listener : listeners) {
                // asked now, at the loss, not when the listener gets to run on another thread
                if (!(listener instanceof HandleListener handle) || handle.wanted()) {
                    toRun.add(listener);
                }
            }
        }
        listeners = null;
        CompletableFuture<Void> lost = lostFuture;
        if (lost != null) {
            toRun.add(() -> lost.complete(null));
        }
        return toRun;
    }

    /** Runs the listeners on the listener executor: the caller is an application thread. */
    private void runElsewhere(List<Runnable> toRun) {
        if (toRun == null || toRun.isEmpty()) {
            return;
        }
        try {
            listenerExecutor.execute(() -> runListeners(toRun));
        } catch (RejectedExecutionException e) {
            runListeners(toRun); // the manager is closing: run them here rather than never
        }
    }

    private void runListeners(List<Runnable> toRun) {
        if (toRun == null) {
            return;
        }
        for (Runnable listener : toRun) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a lost-lease listener of lock '" + name + "' threw", e);
            }
        }
    }

    @Override
    public String toString() {
        return "HeldLock{" + name + ", " + state() + "}";
    }
}
