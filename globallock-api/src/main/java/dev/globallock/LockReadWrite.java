/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A distributed read-write lock: any number of readers together, or one writer, across every
 * manager on the same backend and key prefix. A waiting writer blocks new readers, so a stream of
 * readers cannot starve it. Each grant is a {@link LockHandle} with the lock's whole contract
 * (lease, watchdog, lost-lease signal); fencing tokens of write grants strictly increase, and every
 * read grant's token is greater than the last write grant's.
 *
 * <p>Reentrancy, per thread and manager (as for a lock; asynchronous grants belong to no thread):
 *
 * <ul>
 *   <li>a thread that holds the read lock and asks for it again, or holds the write lock and asks
 *       for it again, gets another handle on the same lease at once;
 *   <li>a thread that holds the write lock may take the read lock (a downgrade): it is granted at
 *       once, with its own lease and token, and stays held when the write lock is released;
 *   <li>a thread that holds only the read lock and asks for the write lock gets an {@link
 *       IllegalStateException} at once: the upgrade would wait for its own read lock forever.
 * </ul>
 *
 * <p>A read-write lock, a lock and a semaphore of the same name are separate. Made by {@link
 * GlobalLockManager#readWriteLock(String)}; cheap, thread-safe, holds nothing itself.
 */
public interface LockReadWrite {
    /** The lock's name as the application gave it (without the key prefix). */
    String name();

    /** The shared side: many readers together, never with a writer. */
    Side readLock();

    /** The exclusive side: one writer, and no reader. */
    Side writeLock();

    /**
     * What the backend says about the holders right now, without taking anything: {@link
     * LockInfo#holders()} is the readers, or 1 writer (the number of holders). Empty when the engine cannot inspect.
     */
    Optional<LockInfo> inspect();

    /** One side of a read-write lock, with the lock verbs. */
    interface Side {
        /** The read-write lock's name. */
        String name();

        /** Whether this is the write side. */
        boolean isWrite();

        /** One attempt: a handle whose {@link LockHandle#isLocked()} says whether it was acquired. */
        LockHandle tryLock();

        /**
         * Acquires, waiting as {@link GlobalLockManager#lock(String, LockOptions)} does.
         *
         * @throws LockTimeoutException when not acquired within the wait time
         * @throws IllegalStateException for the write side, when the thread holds only the read lock
         */
        LockHandle lock(LockOptions options);

        /**
         * Acquires without blocking, as {@link GlobalLockManager#lockAsync(String, LockOptions)}; the
         * handle belongs to no thread (not reentrant, no downgrade).
         */
        CompletableFuture<LockHandle> lockAsync(LockOptions options);
    }
}
