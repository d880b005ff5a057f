/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;

/**
 * Hooks for metrics and tracing: the manager calls them as locks are acquired, refused, released
 * and lost. Register one with {@link GlobalLockManager.Builder#eventListener}. Every method has an
 * empty default; implementations must be thread-safe, fast and non-blocking (they run on the
 * caller's thread or the manager's scheduler). An exception thrown here is logged and ignored.
 */
public interface LockEventListener {
    /**
     * A lock was acquired after waiting {@code waited}; {@code reentrant} when the thread already
     * held it (no round trip was made).
     */
    default void acquired(String name, Duration waited, boolean reentrant) {}

    /** An attempt ended without the lock: the wait time passed or the single attempt found it busy. */
    default void notAcquired(String name, Duration waited) {}

    /** The last handle on a lease was released after holding it for {@code held}. */
    default void released(String name, Duration held) {}

    /** A held lease was lost or expired ({@code state} says which). */
    default void lost(String name, LockState state) {}

    /**
     * An acquisition was sent to the engine and is now in progress (a wait, or a single attempt).
     * Reentrant acquisitions send nothing and are not announced. {@link #waitEnded} follows once,
     * whatever the outcome.
     */
    default void waitStarted(String name) {}

    /** An acquisition announced by {@link #waitStarted} ended after {@code waited}, with or without the lock. */
    default void waitEnded(String name, Duration waited) {}

    /**
     * An acquisition ended with neither the lock nor a timeout: the backend failed or could not be
     * reached, the wait was interrupted or cancelled, or the manager closed. {@code cause} is what
     * the caller gets.
     */
    default void acquireFailed(String name, Duration waited, Throwable cause) {}

    /** The watchdog renewed a held lease. */
    default void renewed(String name) {}

    /**
     * A watchdog renewal of a held lease failed: the backend did not answer (the watchdog retries
     * next period) or refused it (the lease is gone; {@link #lost} follows).
     */
    default void renewalFailed(String name, Throwable cause) {}
}
