/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * The root of the exceptions globallock throws for what goes wrong at run time. All of them are
 * unchecked: a lock that cannot be had is reported by {@link LockTimeoutException}, a backend that
 * fails or cannot be reached by {@link LockBackendException}, a bad configuration by {@link
 * LockConfigException}, a lease that is gone by {@link LockLostException}, an interrupted wait by
 * {@link LockInterruptedException}, and a checked exception thrown by a task run under a lock by
 * {@link LockedTaskException}. An engine's own failure reaches the caller as a {@link
 * LockBackendException} with the engine's exception as its cause.
 *
 * <p>Programming errors are not under it: they follow the Java convention.
 *
 * <ul>
 *   <li>{@link NullPointerException}: a null argument (lock name, options, task, listener, builder
 *       value).
 *   <li>{@link IllegalArgumentException}: an invalid argument: a lock name that is blank, has a
 *       control character, is not valid Unicode or is too long for the engine; a key prefix that
 *       breaks the same character rule; a negative wait time or a lease time that is not positive,
 *       shorter than the engine's minimum or that the engine cannot honour; rate limiter permits
 *       below 1 or above the limiter's, a window outside 1ms to 365d; semaphore permits below 1, or
 *       that disagree with the permits the semaphore is held with (where the engine can tell).
 *   <li>{@link IllegalStateException}: a call out of sequence: any call on a closed manager
 *       (including a blocking wait that the manager's {@code close()} ended), {@code release()} on
 *       a handle that was never acquired or was already released, {@code fencingToken()} on a
 *       handle that was never acquired, a builder value set twice, {@code build()} without a
 *       configuration or an engine; a thread that holds only a read lock asking for its write lock
 *       (an upgrade, which would wait for itself forever).
 *   <li>{@link UnsupportedOperationException}: a primitive the engine does not offer, such as a
 *       rate limiter on an engine without {@link Capability#RATE_LIMITER}, a semaphore or a
 *       read-write lock on an engine without {@link Capability#SEMAPHORE} or {@link
 *       Capability#READ_WRITE_LOCK}.
 * </ul>
 *
 * <p>The futures of {@code lockAsync} complete exceptionally with these same exceptions, and with
 * {@link java.util.concurrent.CancellationException} when they are cancelled (by the caller, or by
 * the manager's {@code close()}). The {@link java.util.concurrent.locks.Lock} view of {@code
 * asLock} follows {@code Lock}'s contract ({@link InterruptedException}, {@link
 * IllegalMonitorStateException}, {@link UnsupportedOperationException} for conditions).
 *
 * <p>Messages name the lock, the engine and the configuration key involved; they never contain a
 * password or other secret.
 */
public class GlobalLockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GlobalLockException(String message) {
        super(message);
    }

    public GlobalLockException(String message, Throwable cause) {
        super(message, cause);
    }
}
