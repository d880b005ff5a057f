/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockLostException;
import dev.globallock.spi.LeaseListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leases granted and not released, with where to report their loss and the epoch of the
 * master's identity before each was granted (see {@link NodeIdentity}). While it holds a lease the
 * backend keeps its pub/sub connection to each node open ({@link Backend#watch}), so a node that
 * dies closes it at once and it reconnects with a short backoff. When a connection finds the node
 * came back as another process (a restart, which without persistence forgets every lock, or a
 * Sentinel failover), every lease granted by the former process is reported lost at once to its
 * {@link LeaseListener}, without waiting for the watchdog's next renewal. With Redlock the leases
 * are checked again in one round instead (the node is left out of majorities for the longest
 * lease, see {@code RedlockBackend}), and those no majority holds any more are reported lost.
 * Cluster mode follows no identities and keeps no registry. Thread-safe.
 */
final class Leases implements NodeIdentity.Listener {
    private final boolean redlock;
    /** Null in cluster mode, whose nodes' identities are not followed. */
    private final Map<RedisGrant, Held> held;

    private final Backend backend;
    private final Topology topology;
    private final EngineThreads threads;
    private final EngineState state;

    Leases(RedisMode mode, Backend backend, Topology topology, EngineThreads threads, EngineState state) {
        this.redlock = mode == RedisMode.REDLOCK;
        this.held = mode == RedisMode.CLUSTER ? null : new ConcurrentHashMap<>();
        this.backend = backend;
        this.topology = topology;
        this.threads = threads;
        this.state = state;
    }

    /**
     * A lease was granted.
     *
     * @param epoch the master's epoch read before the acquisition was sent ({@link Backend#epoch})
     */
    void granted(RedisGrant grant, LeaseListener listener, long epoch) {
        if (held != null) {
            held.put(grant, new Held(listener, epoch));
            backend.watch();
        }
    }

    /** Forgets a lease that was released, or reported lost. */
    void forget(RedisGrant grant) {
        if (held != null) {
            held.remove(grant);
        }
    }

    /** Forgets every lease: the engine closed. */
    void clear() {
        if (held != null) {
            held.clear();
        }
    }

    /**
     * A node came back as another process: every lease granted by the former one is lost (a
     * single master), or every lease is checked again in one round (Redlock). Runs on the thread
     * that opened the connection: only bookkeeping here, listeners and I/O go to the executor.
     */
    @Override
    public void identityChanged(NodeIdentity node, String reason, long epoch) {
        if (held == null || held.isEmpty() || state.isClosed()) {
            return;
        }
        if (redlock) {
            threads.execute(() -> checkAfterRejoin(reason));
            return;
        }
        Map<RedisGrant, Held> lost = new HashMap<>();
        for (Map.Entry<RedisGrant, Held> entry : held.entrySet()) {
            if (entry.getValue().epoch < epoch && held.remove(entry.getKey(), entry.getValue())) {
                lost.put(entry.getKey(), entry.getValue());
            }
        }
        if (lost.isEmpty()) {
            return;
        }
        EngineState.LOG.log(
                Level.WARNING,
                () -> state.errors().engineAt() + ": " + reason + "; " + lost.size()
                        + " lease(s) it had granted are reported lost");
        threads.execute(() -> lost.forEach((grant, lease) -> lease.listener.leaseLost(new LockLostException(
                grant.name,
                "lock '" + grant.name + "' was lost: " + state.errors().say("reconnected and " + reason)))));
    }

    /** Redlock: one check of every lease after a node came back as another process. */
    private void checkAfterRejoin(String reason) {
        List<RedisGrant> grants = new ArrayList<>(held.keySet());
        if (grants.isEmpty() || state.isClosed()) {
            return;
        }
        Set<RedisGrant> lost;
        try {
            lost = topology.idempotent(() -> backend.verify(grants));
        } catch (RuntimeException e) {
            EngineState.LOG.log(
                    Level.DEBUG,
                    () -> "could not check " + grants.size() + " lease(s) after " + reason
                            + "; the watchdog's renewals will: " + Errors.describe(e));
            return;
        }
        for (RedisGrant grant : lost) {
            Held lease = held.remove(grant);
            if (lease != null) {
                lease.listener.leaseLost(new LockLostException(
                        grant.name,
                        "lock '" + grant.name + "' was lost: "
                                + state.errors()
                                        .say("found no majority of the Redlock nodes holding it after " + reason)));
            }
        }
    }

    /** A lease granted and not released: where to report its loss, and the master's epoch before it was granted. */
    private static final class Held {
        final LeaseListener listener;
        final long epoch;

        Held(LeaseListener listener, long epoch) {
            this.listener = listener;
            this.epoch = epoch;
        }
    }
}
