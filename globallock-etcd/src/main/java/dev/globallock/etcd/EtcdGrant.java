/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockGrant;
import io.etcd.jetcd.ByteSequence;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One acquisition: the acquisition's own key, the lease it sits on, and its create revision, which
 * is the fencing token. Thread-safe.
 */
final class EtcdGrant implements LockGrant {
    final String name;
    final ByteSequence directory;
    final int slot;
    final ByteSequence key;
    final EtcdLease lease;
    final long createRevision;
    final LeaseListener listener;
    /**
     * The session lease an acquire transaction of this acquisition went out on without an answer,
     * or null: that request may still land after the release and re-create the key.
     */
    final EtcdLease uncertainLease;
    /** The key's create revision, or (a semaphore's or read-write lock's waiter) the revision it was granted at. */
    private final long fencingToken;

    private final AtomicBoolean released = new AtomicBoolean();

    EtcdGrant(
            String name,
            ByteSequence directory,
            int slot,
            ByteSequence key,
            EtcdLease lease,
            long createRevision,
            LeaseListener listener,
            EtcdLease uncertainLease) {
        this(name, directory, slot, key, lease, createRevision, listener, uncertainLease, createRevision);
    }

    EtcdGrant(
            String name,
            ByteSequence directory,
            int slot,
            ByteSequence key,
            EtcdLease lease,
            long createRevision,
            LeaseListener listener,
            EtcdLease uncertainLease,
            long fencingToken) {
        this.fencingToken = fencingToken;
        this.name = name;
        this.directory = directory;
        this.slot = slot;
        this.key = key;
        this.lease = lease;
        this.createRevision = createRevision;
        this.listener = listener;
        this.uncertainLease = uncertainLease;
    }

    @Override
    public long fencingToken() {
        return fencingToken;
    }

    /**
     * The key lives as long as its lease: the send time of the lease's last keep-alive (or grant)
     * the server confirmed, which the engine's own keep-alives move on while the lock is held.
     */
    @Override
    public OptionalLong leaseConfirmedAtNanos() {
        return OptionalLong.of(lease.renewedAtNanos());
    }

    /** True the first time: the release goes to the server once. */
    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    boolean isReleased() {
        return released.get();
    }

    @Override
    public String toString() {
        return "EtcdGrant{" + name + ", key=" + EtcdKeys.text(key) + ", token=" + fencingToken + ", " + lease + "}";
    }
}
