/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.options.PutOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One etcd lease the engine put lock keys on: the engine's shared session lease (all watchdog
 * locks of one lease length) or a lock's own lease (an explicit lease time). Thread-safe.
 */
final class EtcdLease {
    final long id;
    final long ttlSeconds;
    /** Shared by every watchdog lock of the engine; released by deleting the key, not the lease. */
    final boolean session;
    /** A put on this lease: built once, used by every acquire transaction on it. */
    final PutOption putOnLease;
    /** Waiters queued on this lease: the engine keeps it alive for them while they wait. */
    final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    /** An acquisition queued with its key on a lease. */
    interface Waiter {
        /** The lease was found gone: the queued key went with it, and is never granted. */
        void leaseGone();
    }

    private final AtomicBoolean dead = new AtomicBoolean();
    private final AtomicBoolean keepAliveInFlight = new AtomicBoolean();
    private volatile long renewedAtNanos;

    EtcdLease(long id, long ttlSeconds, boolean session, long grantedAtNanos) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        this.session = session;
        this.putOnLease = PutOption.builder().withLeaseId(id).build();
        this.renewedAtNanos = grantedAtNanos;
    }

    /** A keep-alive sent at {@code sentAtNanos} was answered with a positive TTL. */
    void renewed(long sentAtNanos) {
        if (sentAtNanos - renewedAtNanos > 0) {
            renewedAtNanos = sentAtNanos;
        }
    }

    long renewedAtNanos() {
        return renewedAtNanos;
    }

    /** Whether a third of the TTL has passed since the last successful keep-alive was sent. */
    boolean dueForKeepAlive(long nowNanos) {
        return nowNanos - renewedAtNanos >= ttlSeconds * 1_000_000_000L / 3;
    }

    boolean tryStartKeepAlive() {
        return keepAliveInFlight.compareAndSet(false, true);
    }

    void keepAliveDone() {
        keepAliveInFlight.set(false);
    }

    /** Marks the lease gone on the server; true the first time. */
    boolean markDead() {
        return dead.compareAndSet(false, true);
    }

    boolean isDead() {
        return dead.get();
    }

    String hex() {
        return Long.toHexString(id);
    }

    @Override
    public String toString() {
        return "EtcdLease{" + hex() + ", ttl=" + ttlSeconds + "s" + (session ? ", session" : "")
                + (dead.get() ? ", dead" : "") + "}";
    }
}
