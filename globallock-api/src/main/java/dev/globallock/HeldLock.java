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
    /** The manager's reentrancy-table key of this lease (thread and key); null for async acquisitions. */
    final Object reentrancyKey;

    private final Ticker ticker;

    private final ReentrantLock mutex = new ReentrantLock();
    /** Made on first use: most leases are released without anyone asking. Guarded by the mutex. */
    private CompletableFuture<Void> lostFuture;
    /** Made on first use. Guarded by the mutex. */
    private List<Runnable> listeners;

    private LockState state = LockState.NOT_ACQUIRED;
    private LockGrant grant;
    private Throwable lostBeforeGrant;
    private int holds;
    private long validUntilNanos;
    private long grantedAtNanos;
    private ScheduledFuture<?> expiryTimer;

    /** A lease outside the reentrancy table. */
    HeldLock(String name, String key, boolean watchdog, long leaseNanos, Thread ownerThread, Ticker ticker) {
        this(name, key, watchdog, leaseNanos, ownerThread, null, ticker);
    }

    HeldLock(
            String name,
            String key,
            boolean watchdog,
            long leaseNanos,
            Thread ownerThread,
            Object reentrancyKey,
            Ticker ticker) {
        this.ticker = ticker;
        this.name = name;
        this.key = key;
        this.watchdog = watchdog;
        this.leaseNanos = leaseNanos;
        this.ownerThread = ownerThread;
        this.reentrancyKey = reentrancyKey;
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
        CompletableFuture<Void> lost = null;
        mutex.lock();
        try {
            if (holds == 0) {
                return null;
            }
            holds--;
            if (holds > 0) {
                return null; // other holds remain: the lease and its lost() future go on
            }
            lost = lostFuture;
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
            if (lost != null) {
                lost.cancel(false);
            }
        }
    }

    /** Forgets every hold without telling anyone (the manager is closing). */
    void forceReleased() {
        CompletableFuture<Void> lost = null;
        mutex.lock();
        try {
            lost = lostFuture;
            holds = 0;
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
        mutex.lock();
        try {
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
        runListeners(List.of(listener));
    }

    /**
     * Completes when the lease is lost or expires while held; cancelled when it is released first.
     * The same future on every call.
     */
    CompletableFuture<Void> lostFuture() {
        CompletableFuture<Void> lost;
        LockState now;
        mutex.lock();
        try {
            if (lostFuture != null) {
                return lostFuture;
            }
            lost = new CompletableFuture<>();
            lostFuture = lost;
            now = state;
        } finally {
            mutex.unlock();
        }
        if (now == LockState.RELEASED) {
            lost.cancel(false);
        } else if (now == LockState.LOST || now == LockState.EXPIRED) {
            lost.complete(null);
        }
        return lost;
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
        List<Runnable> toRun = listeners == null ? new ArrayList<>(1) : listeners;
        listeners = null;
        CompletableFuture<Void> lost = lostFuture;
        if (lost != null) {
            toRun.add(() -> lost.complete(null));
        }
        return toRun;
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
