package dev.globallock;

import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockGrant;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lease as the manager sees it: the engine's grant, the state, the number of open handles
 * sharing it (reentrancy) and its lost-lease listeners. Created before the acquire is sent, so
 * that the engine's {@link LeaseListener} calls have somewhere to land; thread-safe. No I/O is done
 * while its mutex is held.
 */
final class HeldLock implements LeaseListener {
    private static final System.Logger LOG = System.getLogger(HeldLock.class.getName());

    final String name;
    final String key;
    final boolean watchdog;
    final long leaseNanos;
    /** The thread whose reentrant acquisitions share this lease; null for async acquisitions. */
    final Thread ownerThread;

    private final Ticker ticker;

    private final ReentrantLock mutex = new ReentrantLock();
    private final CompletableFuture<Void> lostFuture = new CompletableFuture<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private LockState state = LockState.NOT_ACQUIRED;
    private LockGrant grant;
    private Throwable lostBeforeGrant;
    private int holds;
    private long validUntilNanos;
    private long grantedAtNanos;
    private ScheduledFuture<?> expiryTimer;

    HeldLock(String name, String key, boolean watchdog, long leaseNanos, Thread ownerThread, Ticker ticker) {
        this.ticker = ticker;
        this.name = name;
        this.key = key;
        this.watchdog = watchdog;
        this.leaseNanos = leaseNanos;
        this.ownerThread = ownerThread;
    }

    /** Records the grant; the lease counts from {@code grantedAtNanos}. */
    void granted(LockGrant grant, long grantedAtNanos) {
        List<Runnable> toRun = List.of();
        mutex.lock();
        try {
            this.grant = grant;
            this.holds = 1;
            this.validUntilNanos = grantedAtNanos + leaseNanos;
            this.grantedAtNanos = grantedAtNanos;
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

    LockState state() {
        mutex.lock();
        try {
            return state;
        } finally {
            mutex.unlock();
        }
    }

    int holds() {
        mutex.lock();
        try {
            return holds;
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

    /** Adds a hold if the lease is still alive (a reentrant acquisition). */
    boolean tryReenter() {
        mutex.lock();
        try {
            if (!state.isLocked()) {
                return false;
            }
            holds++;
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Drops one hold. Returns null while other holds remain; when it was the last, returns the
     * state the lease was in just before (so the caller can tell a clean release from a lost one).
     */
    LockState releaseOne() {
        mutex.lock();
        try {
            if (holds == 0) {
                return null;
            }
            holds--;
            if (holds > 0) {
                return null;
            }
            LockState before = state;
            if (state.isLocked()) {
                state = LockState.RELEASED;
            }
            if (expiryTimer != null) {
                expiryTimer.cancel(false);
            }
            return before;
        } finally {
            mutex.unlock();
            lostFuture.cancel(false);
        }
    }

    /** Forgets every hold without telling anyone (the manager is closing). */
    void forceReleased() {
        mutex.lock();
        try {
            holds = 0;
            if (state.isLocked()) {
                state = LockState.RELEASED;
            }
            if (expiryTimer != null) {
                expiryTimer.cancel(false);
            }
        } finally {
            mutex.unlock();
            lostFuture.cancel(false);
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

    /** A renewal sent at {@code sentAtNanos} succeeded. */
    void renewed(long sentAtNanos) {
        mutex.lock();
        try {
            validUntilNanos = Math.max(validUntilNanos, sentAtNanos + leaseNanos);
        } finally {
            mutex.unlock();
        }
    }

    /** The explicit lease time ran out while held. */
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
            boolean timeUp = !watchdog && ticker.read() - validUntilNanos >= 0;
            toRun = markGone(timeUp ? LockState.EXPIRED : LockState.LOST);
        } finally {
            mutex.unlock();
        }
        if (!toRun.isEmpty()) {
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
        mutex.lock();
        try {
            if (state == LockState.NOT_ACQUIRED || state.isLocked()) {
                listeners.add(listener);
                return;
            }
            if (state == LockState.RELEASED) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        runListeners(List.of(listener));
    }

    CompletableFuture<Void> lostFuture() {
        return lostFuture;
    }

    /** Moves a live lease to a gone state; returns the listeners to run outside the mutex. */
    private List<Runnable> markGone(LockState gone) {
        if (!state.isLocked()) {
            return List.of();
        }
        state = gone;
        if (expiryTimer != null && gone != LockState.EXPIRED) {
            expiryTimer.cancel(false);
        }
        List<Runnable> toRun = new ArrayList<>(listeners);
        listeners.clear();
        toRun.add(() -> lostFuture.complete(null));
        return toRun;
    }

    private void runListeners(List<Runnable> toRun) {
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
