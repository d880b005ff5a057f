/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

/**
 * What an {@link AcquireRequest} asks for. The manager sends only the modes the engine declares
 * ({@link dev.globallock.Capability#SEMAPHORE}, {@link dev.globallock.Capability#READ_WRITE_LOCK});
 * grants, renewals, releases, waits, cancellation and lost-lease reports are the same for every
 * mode.
 *
 * <p>A lock, a read-write lock and a semaphore of the same key are three separate things on the
 * backend: an engine keeps each family apart (its own key, node or structure per family), so that
 * {@code lock("x")}, {@code readWriteLock("x")} and {@code semaphore("x", n)} never block each
 * other. Fencing tokens of one key and family strictly increase across all of its grants.
 */
public enum AcquireMode {
    /** The lock ({@code GlobalLockManager.lock}): one holder. The default. */
    EXCLUSIVE,
    /**
     * The read side of a read-write lock: any number of readers together, never with a writer.
     * A reader waits while a writer holds the lock <em>or waits for it</em> (so readers cannot
     * starve writers), unless the request downgrades its owner's write grant ({@link
     * AcquireRequest#downgrading()}), which is granted at once.
     */
    READ,
    /** The write side of a read-write lock: one writer, and no reader. */
    WRITE,
    /**
     * One of {@link AcquireRequest#permits()} permits of a semaphore: at most that many holders at
     * once. Every user of a key must ask with the same permits; an engine that can tell reports a
     * request that disagrees with the permits the backend holds the semaphore with (an {@link
     * IllegalArgumentException} naming both).
     */
    PERMIT
}
