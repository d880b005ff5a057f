/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/** Where a {@link LockHandle} stands. */
public enum LockState {
    /** The attempt did not acquire the lock (a {@code tryLock} that found it taken). */
    NOT_ACQUIRED,
    /** Acquired, and the lease is believed valid. */
    HELD,
    /**
     * Acquired, but the connection to the backend is interrupted, so ownership cannot be confirmed
     * right now (ZooKeeper's SUSPENDED). It either returns to {@link #HELD} or becomes {@link #LOST},
     * at the latest at the lease deadline.
     */
    UNCERTAIN,
    /**
     * The lease is gone: renewal refused, session expired, or the backend forgot the lock; or its
     * deadline passed without a confirmed renewal (the backend last confirmed it a whole watchdog
     * lease ago, less a drift margin of 1% plus 2 ms: the process was paused, or renewals failed or
     * were slow), after which the backend may have freed it. Final: a renewal that succeeds later
     * does not bring it back.
     */
    LOST,
    /**
     * The explicit lease time ran out before the handle was released: counted from when the
     * acquiring request was sent, less the same drift margin, so the handle turns {@code EXPIRED}
     * no later than the backend frees the lock.
     */
    EXPIRED,
    /** Released by its holder. */
    RELEASED;

    /** Whether a handle in this state counts as holding the lock ({@link #HELD} or {@link #UNCERTAIN}). */
    public boolean isLocked() {
        return this == HELD || this == UNCERTAIN;
    }
}
