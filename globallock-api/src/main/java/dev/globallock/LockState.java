package dev.globallock;

/** Where a {@link LockHandle} stands. */
public enum LockState {
    /** The attempt did not acquire the lock (a {@code tryLock} that found it taken). */
    NOT_ACQUIRED,
    /** Acquired, and the lease is believed valid. */
    HELD,
    /**
     * Acquired, but the connection to the backend is interrupted, so ownership cannot be confirmed
     * right now (ZooKeeper's SUSPENDED). It either returns to {@link #HELD} or becomes {@link #LOST}.
     */
    UNCERTAIN,
    /** The lease is gone: renewal refused, session expired, or the backend forgot the lock. */
    LOST,
    /** The explicit lease time ran out before the handle was released. */
    EXPIRED,
    /** Released by its holder. */
    RELEASED;

    /** Whether a handle in this state counts as holding the lock ({@link #HELD} or {@link #UNCERTAIN}). */
    public boolean isLocked() {
        return this == HELD || this == UNCERTAIN;
    }
}
