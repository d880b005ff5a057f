/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One held ZooKeeper lock: the lock node (unique to this acquisition, so deleting it can never
 * remove another holder's lock), the node's czxid as fencing token and the session that owns it.
 * Thread-safe.
 */
final class ZooKeeperGrant implements LockGrant {
    final AcquireRequest request;
    /** The lock node, relative to the namespace. */
    final String node;
    /** The lock's parent node, relative to the namespace. */
    final String parent;

    final long czxid;
    final long sessionId;
    /** When the session was last confirmed as the lock was granted (the manager's ticker). */
    final long confirmedAtNanos;

    private final AtomicBoolean over = new AtomicBoolean();

    ZooKeeperGrant(
            AcquireRequest request, String parent, String node, long czxid, long sessionId, long confirmedAtNanos) {
        this.request = request;
        this.parent = parent;
        this.node = node;
        this.czxid = czxid;
        this.sessionId = sessionId;
        this.confirmedAtNanos = confirmedAtNanos;
    }

    /**
     * The lock lives as long as its session: the send time of the last request on the session that
     * the server answered, as of the grant (the acquisition's create, or a later renewal or probe).
     */
    @Override
    public OptionalLong leaseConfirmedAtNanos() {
        return OptionalLong.of(confirmedAtNanos);
    }

    /**
     * The node's creation zxid: zxids grow with every write of the ensemble, across leader changes
     * (the epoch is the high half), and a waiter's node is always created after its predecessors',
     * so every grant of a name carries a larger token than every earlier grant of it. Unlike the
     * sequence number, it does not restart when a container parent is reaped and recreated.
     */
    @Override
    public long fencingToken() {
        return czxid;
    }

    /** Marks the grant released or lost; true only for the first caller. */
    boolean finish() {
        return over.compareAndSet(false, true);
    }

    boolean isOver() {
        return over.get();
    }

    @Override
    public String toString() {
        return "ZooKeeperGrant{" + node + ", czxid=0x" + Long.toHexString(czxid) + ", session=0x"
                + Long.toHexString(sessionId) + "}";
    }
}
