/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import dev.globallock.LockInfo;
import java.util.concurrent.CompletableFuture;

/**
 * An operator's view of the backend's locks, without taking them; an optional engine capability
 * ({@link LockEngine#inspector()}).
 */
public interface LockInspector {
    /**
     * Reads a lock's state from the backend without touching it.
     *
     * @param name the application's lock name (for the result and messages)
     * @param key the prefixed key
     */
    CompletableFuture<LockInfo> inspect(String name, String key);

    /**
     * Reads the holders of a semaphore ({@link AcquireMode#PERMIT}) or a read-write lock ({@link
     * AcquireMode#READ} or {@link AcquireMode#WRITE}: the same lock) of the key, as {@link
     * LockInfo#heldBy}; {@link AcquireMode#EXCLUSIVE} is {@link #inspect(String, String)}. The
     * default, for engines without those primitives, fails with {@link
     * UnsupportedOperationException}.
     */
    default CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
        if (mode == AcquireMode.EXCLUSIVE) {
            return inspect(name, key);
        }
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("this engine cannot inspect " + mode + " holders of '" + name + "'"));
    }

    /**
     * Deletes what the backend keeps for a lock key between acquisitions (the Redis engine's
     * fencing counter), so that a name used once, such as the scratch lock of {@code globallock
     * check}, leaves nothing behind. Does nothing while the key is held. A later acquisition of the
     * key must still get a token greater than every token issued for it before (the Redis engine
     * restarts the counter from the server's clock in microseconds); even so, use it only for names
     * that no holder or resource will use again. Completes exceptionally with a {@link
     * dev.globallock.LockBackendException} when the backend fails. The default, for engines that
     * keep nothing for an unheld key, completes at once.
     *
     * @param key the prefixed key, as in {@link AcquireRequest#key()}
     */
    default CompletableFuture<Void> discard(String key) {
        return CompletableFuture.completedFuture(null);
    }
}
