/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A distributed semaphore: at most {@link #permits()} holders of the name at once, across every
 * manager on the same backend and key prefix. Each permit is a {@link LockHandle}: closing it gives
 * the permit back; its lease, watchdog, {@link LockHandle#fencingToken() fencing token} (strictly
 * greater than every token issued before it for this semaphore) and {@link LockHandle#onLost lost-lease
 * signal} work as for a lock, and a permit of a holder that died comes back within one lease.
 *
 * <p>Permits are not reentrant: every acquisition takes another permit, whichever thread asks
 * (as {@link java.util.concurrent.Semaphore}). Every user of a name must agree on the number of
 * permits; where the backend lets the engine tell (see the engine's documentation), a request that
 * disagrees with the permits the semaphore is held with fails with {@link IllegalArgumentException}.
 * A semaphore, a lock and a read-write lock of the same name are separate. Made by {@link
 * GlobalLockManager#semaphore(String, int)}; cheap, thread-safe, holds nothing itself.
 */
public interface LockSemaphore {
    /** The semaphore's name as the application gave it (without the key prefix). */
    String name();

    /** How many holders the semaphore admits at once. */
    int permits();

    /**
     * One attempt: a handle whose {@link LockHandle#isLocked()} says whether a permit was taken.
     *
     * @throws LockInterruptedException at once, sending nothing, when the thread's interrupt flag is set
     */
    LockHandle tryAcquire();

    /**
     * Takes a permit, waiting as {@link GlobalLockManager#lock(String, LockOptions)} does.
     *
     * @throws LockTimeoutException when no permit came free within the wait time
     * @throws LockInterruptedException when interrupted while waiting (the flag is set again)
     */
    LockHandle acquire(LockOptions options);

    /**
     * Takes a permit without blocking the caller, as {@link GlobalLockManager#lockAsync(String,
     * LockOptions)}: cancelling the future abandons the wait and leaves nothing behind.
     */
    CompletableFuture<LockHandle> acquireAsync(LockOptions options);

    /**
     * What the backend says about the holders right now, without taking a permit: {@link
     * LockInfo#holders()} is the permits taken (the number of holders). Empty when the engine cannot inspect.
     */
    Optional<LockInfo> inspect();
}
