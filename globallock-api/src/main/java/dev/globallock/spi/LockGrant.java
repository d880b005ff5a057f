/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import java.util.OptionalLong;

/**
 * An engine's record of one acquisition: what it needs to renew and release it (owner id, node
 * path, lease id...). The manager only reads the fencing token and the lease confirmation time, and
 * hands the grant back to the engine that made it. Implementations must be immutable or
 * thread-safe.
 */
public interface LockGrant {
    /** The fencing token minted for this acquisition. */
    long fencingToken();

    /**
     * When the backend last confirmed the lease this grant holds, as of the grant: a reading of the
     * manager's ticker ({@link EngineContext#ticker()}) taken just before the request that
     * established the lease was <em>sent</em>, never when its answer came. For a waiter, that is
     * the final, successful attempt; for a lock on a lease or session that the engine keeps alive
     * itself (etcd's session lease, ZooKeeper's session), the send time of the last request on it
     * the server answered.
     *
     * <p>The manager counts the lease from here: the handle is no longer {@code isLocked()} once
     * this time plus the lease, less a drift margin, has passed without a renewal confirmed since.
     * A value later than the grant's arrival is taken as its arrival. Empty (the default) when the
     * engine cannot tell: the manager then counts from when it received the grant, one reply later
     * than the backend did.
     */
    default OptionalLong leaseConfirmedAtNanos() {
        return OptionalLong.empty();
    }
}
