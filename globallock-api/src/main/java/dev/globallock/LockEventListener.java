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
}
