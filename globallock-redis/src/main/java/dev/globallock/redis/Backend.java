/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The lock protocol over one Redis topology. Every method blocks on network I/O (bounded by the
 * connect and command timeouts) and is called on an engine I/O thread or on a caller that waits
 * anyway, never on the manager's scheduler. Failures are thrown as Jedis exceptions. Thread-safe.
 */
interface Backend {
    /** The endpoints, without credentials. */
    String describe();

    /** One atomic attempt for the owner; never re-sent blindly (a retry with the same owner is recognised). */
    AcquireReply acquire(LockKeys keys, byte[] owner, long leaseMillis);

    /** Owner-checked release and notification; true if it deleted the lock. */
    boolean release(LockKeys keys, byte[] owner);

    /** Extends the leases in as few script calls as the topology allows; returns the grants no longer held. */
    Set<RedisGrant> renew(List<RedisGrant> grants);

    /**
     * One call of a semaphore's or read-write lock's script ({@link SharedScripts}) on the node of
     * the keys' slot. The backends of one master or a cluster run them; Redlock offers neither
     * primitive (see {@code RedisLockEngine}).
     */
    default Object evalShared(LockKeys keys, RedisScripts.Script script, int numKeys, byte[]... params) {
        throw new UnsupportedOperationException("semaphores and read-write locks are not offered by " + describe());
    }

    /** The command a release publishes with: PUBLISH, or SPUBLISH in a cluster. */
    default byte[] publishCommand() {
        return Redis.PUBLISH;
    }

    /** Reads the lock's holder and remaining lease. */
    LockInfo inspect(String name, LockKeys keys);

    /** Deletes the lock's fencing counter where the lock is not held (every node that answers). */
    void discardFence(LockKeys keys);

    /** Where releases of this lock are published: the subscribers to listen on (one, or all Redlock nodes). */
    List<Subscriber> subscribersFor(LockKeys keys);

    /**
     * The nodes whose identity this backend follows (every node it opens connections to itself);
     * empty where it follows none (cluster).
     */
    default List<NodeIdentity> nodes() {
        return List.of();
    }

    /**
     * The epoch of the single master's identity, read before an acquisition: a later identity
     * change with a larger epoch means the grant was made by the former process. 0 without one
     * master (Redlock, cluster). A volatile read.
     */
    default long epoch() {
        return 0;
    }

    /** A lease is held on this backend: keep a connection to each node open to notice a restart at once. Cheap. */
    default void watch() {}

    /**
     * Checks, without extending them, which grants are no longer held (Redlock: by a counting
     * majority); one script call per node and batch.
     */
    default Set<RedisGrant> verify(List<RedisGrant> grants) {
        throw new UnsupportedOperationException("verify is not supported by " + describe());
    }

    /** What is wrong with the connections right now, from what was seen; no I/O. */
    default Optional<LockBackendException> connectionProblem() {
        return Optional.empty();
    }

    /** Re-reads the topology after an error (cluster slots); a no-op elsewhere. */
    default void refreshTopology() {}

    /** Closes subscribers and connection pools (not an application's client). Idempotent. */
    void close();
}
