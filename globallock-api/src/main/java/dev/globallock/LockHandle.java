/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.util.concurrent.CompletableFuture;

/**
 * One acquisition of a named lock, or one failed attempt ({@link #isLocked()} false). Use it with
 * try-with-resources:
 *
 * <pre>{@code
 * try (LockHandle lock = locks.tryLock("invoice-42")) {
 *     if (lock.isLocked()) {
 *         resource.write(data, lock.fencingToken());
 *     }
 * }
 * }</pre>
 *
 * <p>Ownership is carried by the handle, not by a thread: any thread may release it, and it works
 * the same on virtual threads. Handles are thread-safe. A reentrant acquisition (same thread, same
 * name, same manager) returns a new handle on the same lease; the lease is released when the last
 * of them is closed.
 */
public interface LockHandle extends AutoCloseable {
    /** The lock's name as the application gave it (without the key prefix). */
    String name();

    /**
     * Acquired, not released, not known to be lost or expired, and still within its lease: the
     * backend confirmed the lease (the acquisition, then each renewal, counted from when the request
     * was <em>sent</em>) less than one lease ago, less a drift margin of 1% of the lease plus 2 ms.
     * Once that deadline passes without a confirmed renewal (the process was paused by a GC, a
     * freeze or a stopped VM; renewals failed or are slow), this returns false at once, whether or
     * not any of the manager's threads has run since: it reads the monotonic clock. The lease is
     * then {@link LockState#LOST} (a watchdog lease) or {@link LockState#EXPIRED} (an explicit
     * lease time), and the {@link #onLost} listeners run at the deadline. The lease is the watchdog
     * lease or the explicit lease time; ZooKeeper: the session timeout, which the watchdog lease
     * follows.
     *
     * <p>Does no I/O. {@code true} is a statement about the past (the last confirmation), never a
     * promise: pass {@link #fencingToken()} to the resource you protect.
     */
    boolean isLocked();

    /**
     * The detailed state: as {@link #isLocked()}, a lease whose deadline has passed reads as {@link
     * LockState#LOST} or {@link LockState#EXPIRED} at once. Does no I/O.
     */
    LockState state();

    /**
     * The fencing token of this acquisition: strictly greater than every token issued before it for
     * this name on this backend. Pass it to the resource you protect so it can reject a stale
     * holder. Reentrant handles share their outer handle's token. After the handle was released or
     * its lease was lost it still returns the token of this acquisition, which then protects
     * nothing. Does no I/O.
     *
     * @throws IllegalStateException if the lock was never acquired (an unsuccessful {@code tryLock})
     */
    long fencingToken();

    /** How many open handles share this lease (1 when not reentered; 0 when not held). */
    int holdCount();

    /**
     * Runs {@code listener} once when the lease is lost or its lease time runs out while held: when
     * the engine reports the loss, or at the lease deadline (see {@link #isLocked()}) from a timer,
     * whichever comes first; at once, on the calling thread, if that already happened. It never runs
     * after a normal release. Listeners run on an internal thread and must not block.
     *
     * @return this handle
     */
    LockHandle onLost(Runnable listener);

    /**
     * A future that completes when the lease is lost or its lease time runs out while held, and is
     * cancelled when the handle is released first (or was never acquired). Completing the returned
     * future yourself has no effect on the handle.
     */
    CompletableFuture<Void> lost();

    /**
     * Releases this handle: the lease goes when the last reentrant handle on it is released.
     * Blocks for at most the manager's operation timeout. Not interruptible: with the thread's
     * interrupt flag set, or interrupted meanwhile, it still releases on the backend, and leaves
     * the flag set.
     *
     * @throws IllegalStateException if the handle was never acquired or is already released
     * @throws LockLostException if the lease had been lost or had expired before the release, its
     *     deadline included (the handle is released all the same)
     * @throws LockBackendException if the backend could not be told (the lease then ends by itself)
     */
    void release();

    /**
     * Releases the handle if it holds the lock and was not released yet; otherwise does nothing.
     * Idempotent. Unlike {@link #release()}, a lost or expired lease is not reported here (see
     * {@link #onLost(Runnable)}). Not interruptible, as {@link #release()}.
     *
     * @throws LockBackendException if the backend could not be told (the lease then ends by itself)
     */
    @Override
    void close();
}
