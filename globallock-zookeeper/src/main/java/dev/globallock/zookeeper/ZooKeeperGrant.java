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

    /** On a read that downgraded a write grant of this engine: that grant. */
    private volatile ZooKeeperGrant downgraded;

    /** On a write grant: the read that downgraded it while that read holds (guarded by this). */
    private ZooKeeperGrant pinnedBy;

    /** On a write grant: released by its owner (guarded by this). */
    private boolean writeReleased;

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

    /**
     * This read downgrades {@code write}: the write's node stays until this read is released too,
     * so that a writer queued behind the write (which watches it, not this later read node) is not
     * let in while the downgraded read holds.
     */
    void downgrades(ZooKeeperGrant write) {
        downgraded = write;
        synchronized (write) {
            write.pinnedBy = this;
        }
    }

    /** On the release of a write grant: whether its node must stay, since a downgraded read holds. */
    boolean keepsNodeOnRelease() {
        synchronized (this) {
            writeReleased = true;
            return pinnedBy != null;
        }
    }

    /** On the release of a read: the node of the released write it downgraded, to delete too, or null. */
    String pinnedWriteNode() {
        ZooKeeperGrant write = downgraded;
        if (write == null) {
            return null;
        }
        synchronized (write) {
            write.pinnedBy = null;
            return write.writeReleased ? write.node : null;
        }
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
