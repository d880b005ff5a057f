/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/** What an engine can do natively. The manager refuses options that need a missing capability. */
public enum Capability {
    /** An explicit lease time is honoured: the lock frees itself when it elapses, even if the holder is frozen. */
    LEASE_TIME,
    /** Leases are bound to a client session that the backend expires when the process dies. */
    SESSION_BOUND,
    /** Waiters are granted the lock in the order they asked for it. */
    FIFO,
    /** Every acquisition carries a fencing token greater than all earlier ones for the same name. */
    FENCING_TOKENS,
    /** Waiters are woken by the backend (pub/sub, watches), not by polling alone. */
    WAIT_NOTIFICATION,
    /** Locks survive within one process only. */
    LOCAL_ONLY,
    /**
     * The engine keeps rate limiters on its backend ({@code GlobalLockManager.rateLimiter}); see
     * {@link dev.globallock.spi.LockEngine#rateLimiter()}.
     */
    RATE_LIMITER,
    /**
     * The engine keeps semaphores ({@code GlobalLockManager.semaphore}): it grants requests of
     * {@link dev.globallock.spi.AcquireMode#PERMIT}.
     */
    SEMAPHORE,
    /**
     * The engine keeps read-write locks ({@code GlobalLockManager.readWriteLock}): it grants requests
     * of {@link dev.globallock.spi.AcquireMode#READ} and {@link dev.globallock.spi.AcquireMode#WRITE}.
     */
    READ_WRITE_LOCK
}
