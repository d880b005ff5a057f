/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.Durations;
import dev.globallock.LockBackendException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What the engine knows of the Redis process behind one node (an address, or "the master" that
 * Sentinel names): its identity when a connection was last opened to it, and whether connections
 * to it succeed. Every connection the engine opens itself goes through {@link #open}, which asks
 * the new connection for the server's {@code run_id} and {@code master_replid} ({@code INFO}, one
 * round trip per new connection, never per command). A different identity than the last one seen
 * means the process was restarted or replaced (a restart without persistence forgets every lock;
 * a Sentinel failover promotes another process): the listener is told at once, on the thread that
 * opened the connection, and the node's {@linkplain #epoch() epoch} moves on.
 *
 * <p>A server that does not allow {@code INFO} (an ACL without it) has an unknown identity: its
 * changes are not seen, and lost leases are found by the watchdog's renewals as before.
 *
 * <p>Thread-safe; no I/O under its lock.
 */
final class NodeIdentity {
    /** Told when a node's identity changed; called on the connecting thread, must not block. */
    interface Listener {
        /**
         * @param epoch the node's new epoch: leases granted before it ({@link #epoch()} read before
         *     their acquisition was lower) were granted by the former process
         */
        void identityChanged(NodeIdentity node, String reason, long epoch);
    }

    private final String node;
    private final LongSupplier ticker;
    private final LongSupplier rejoinDelayNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Listener listener;
    /** Bumped on every change; read (volatile) before each acquisition. */
    private volatile long epoch;
    /** The Redlock node is not counted towards a majority before this time (ticker nanos); 0 when it counts. */
    private volatile long excludedUntilNanos;
    /** The identity was read at least once (it may be unknown). */
    private volatile boolean observed;
    /** A connection failure is recorded; read (volatile) after each answer, so that clearing it is rare. */
    private volatile boolean failing;

    // guarded by the lock
    private String identity;
    private boolean answered;
    private int connecting;
    private long connectingSinceNanos;
    private RuntimeException failure;

    /**
     * @param node the node's description for messages, such as {@code 127.0.0.1:6379}
     * @param ticker the monotonic clock (nanoseconds)
     * @param rejoinDelayNanos for a Redlock master: how long it stays out of the majority after it
     *     came back as another process; null elsewhere
     */
    NodeIdentity(String node, LongSupplier ticker, LongSupplier rejoinDelayNanos) {
        this.node = node;
        this.ticker = ticker;
        this.rejoinDelayNanos = rejoinDelayNanos;
    }

    String node() {
        return node;
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    /** The number of identity changes seen so far. */
    long epoch() {
        return epoch;
    }

    /**
     * Opens a connection with {@code opener} (which connects and shakes hands), then reads the
     * server's identity on it. Records the outcome for {@link #problem()}.
     *
     * @throws RuntimeException what the opener or the identity read threw (the connection is closed then)
     */
    Connection open(Supplier<Connection> opener) {
        // (re)opening the watching connection: the node may have changed meanwhile, so the next grant
        // made on a connection the engine did not open itself reads the identity again
        observed = false;
        connecting();
        Connection connection;
        try {
            connection = opener.get();
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
        try {
            identified(connection);
        } catch (RuntimeException e) {
            failed(e);
            try {
                connection.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return connection;
    }

    void connecting() {
        lock.lock();
        try {
            if (connecting++ == 0) {
                connectingSinceNanos = ticker.getAsLong();
            }
        } finally {
            lock.unlock();
        }
    }

    void failed(RuntimeException e) {
        lock.lock();
        try {
            connecting--;
            failure = e;
            failing = true;
        } finally {
            lock.unlock();
        }
    }

    /** A new connection is open: reads the server's identity and compares it with the last one. */
    void identified(Connection connection) {
        String seen = read(connection);
        lock.lock();
        try {
            connecting--;
            answered = true;
            failure = null;
            failing = false;
        } finally {
            lock.unlock();
        }
        observe(seen);
    }

    /**
     * Reads the identity on a connection the engine did not open itself (a pooled connection of
     * Jedis's Sentinel provider or of the application) after a grant, once: so that the identity is
     * known from the first grant on, not only from when the watching connection is first opened, and
     * so that a grant made by a new master before the watching connection reconnected is not taken
     * for one of the former master's. One round trip on the first grant, and on the first grant
     * after each reconnection of the watching connection; a failure is ignored (the next call tries
     * again).
     */
    void observeOnce(Connection connection) {
        if (observed) {
            return;
        }
        String seen;
        try {
            seen = read(connection);
        } catch (RuntimeException e) {
            return;
        }
        observe(seen);
    }

    private void observe(String seen) {
        String before;
        long changed = -1;
        lock.lock();
        try {
            observed = true;
            before = identity;
            if (seen != null) {
                if (before != null && !before.equals(seen)) {
                    changed = ++epoch;
                }
                identity = seen;
            }
        } finally {
            lock.unlock();
        }
        if (changed >= 0 && rejoinDelayNanos != null) {
            exclude(rejoinDelayNanos.getAsLong());
        }
        Listener l = listener;
        if (changed >= 0 && l != null) {
            l.identityChanged(
                    this,
                    "the server at " + node + " is another process than before (" + before + ", now " + seen
                            + "): it restarted or failed over",
                    changed);
        }
    }

    /** An operation got an answer from the node: a connection failure recorded before it is over. */
    void answered() {
        if (!failing) {
            return;
        }
        lock.lock();
        try {
            failure = null;
            failing = false;
            answered = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What is wrong with this node's connections right now, without I/O: the last connection
     * attempt failed (and nothing answered since), or the first connection to the node has been
     * waiting for the server's handshake reply (a port that accepts and never answers).
     */
    Optional<LockBackendException> problem() {
        lock.lock();
        try {
            if (failure != null) {
                return Optional.of(new LockBackendException(
                        "could not connect to " + node + ": " + Errors.describe(failure), failure));
            }
            if (!answered && connecting > 0) {
                Duration waited = Duration.ofNanos(ticker.getAsLong() - connectingSinceNanos);
                return Optional.of(new LockBackendException("no reply from " + node + " to a new connection within "
                        + Durations.format(waited.withNanos((waited.getNano() / 1_000_000) * 1_000_000))
                        + ": it accepts connections but does not answer like a Redis server"));
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the node out of a Redlock majority for {@code nanos} from now (it came back as another process). */
    void exclude(long nanos) {
        excludedUntilNanos = ticker.getAsLong() + Math.max(1, nanos);
    }

    /** Whether the node counts towards a Redlock majority at {@code nowNanos}. */
    boolean counts(long nowNanos) {
        long until = excludedUntilNanos;
        return until == 0 || nowNanos - until >= 0;
    }

    /** How long until the node counts again (zero when it counts). */
    Duration excludedFor(long nowNanos) {
        long until = excludedUntilNanos;
        return until == 0 || nowNanos - until >= 0 ? Duration.ZERO : Duration.ofNanos(until - nowNanos);
    }

    /**
     * The server's {@code run_id} and {@code master_replid}, pipelined in one round trip; null when
     * the server refuses {@code INFO}.
     */
    static String read(Connection connection) {
        connection.sendCommand(Protocol.Command.INFO, "server");
        connection.sendCommand(Protocol.Command.INFO, "replication");
        List<Object> replies = connection.getMany(2);
        String runId = field(replies.get(0), "run_id");
        String replId = field(replies.get(1), "master_replid");
        if (runId == null) {
            return null;
        }
        return "run_id " + runId + (replId == null ? "" : ", replid " + replId);
    }

    private static String field(Object reply, String name) {
        if (reply instanceof JedisDataException || !(reply instanceof byte[] || reply instanceof String)) {
            return null;
        }
        String text = reply instanceof byte[] ? new String((byte[]) reply, StandardCharsets.UTF_8) : (String) reply;
        for (String line : text.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "NodeIdentity{" + node + ", epoch " + epoch + "}";
    }
}
