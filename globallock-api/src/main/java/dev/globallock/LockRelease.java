/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/** What a handle needs of its manager: releasing one hold. */
interface LockRelease {
    /**
     * Drops one hold of {@code lease}; when it was the last, releases the lease on the backend and
     * waits for that, bounded by the operation timeout, whatever the thread's interrupt flag says
     * (the flag is left as it was found).
     *
     * @param holds the reentrancy entry the handle shares, or null for an asynchronous acquisition
     * @param reportLoss whether to throw when the lease was already gone
     * @throws LockLostException with {@code reportLoss}, when the lease was lost or expired before
     *     the release
     * @throws LockBackendException when the backend fails or does not answer in time
     */
    void release(HeldLock lease, Reentrancy.Holds holds, boolean reportLoss);
}
