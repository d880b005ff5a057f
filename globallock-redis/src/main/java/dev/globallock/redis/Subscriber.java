/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One pub/sub connection to one node, shared by every waiter of the engine whose lock publishes
 * there, with the one thread that reads it. Channels are added and dropped one by one while the
 * connection lives; each SUBSCRIBE or UNSUBSCRIBE is answered in order, so a channel counts as
 * confirmed only when the last command sent for it was answered. The thread exists while some
 * channel is wanted or the connection is open; on a broken connection it reconnects with a backoff
 * and subscribes again, telling the listener which channels were dropped meanwhile.
 *
 * <p>Once {@linkplain #watch() watched} (the engine holds a lease on the node), the connection is
 * kept, and reopened after a break, even while no channel is wanted: a node that dies closes it at
 * once, and reopening it is when the engine learns that the node came back as another process.
 *
 * <p>Listener calls come from the reader thread and must not block. Thread-safe.
 */
final class Subscriber {
    private static final System.Logger LOG = System.getLogger(Subscriber.class.getName());
    private static final long MIN_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 1000;

    /** Receives what the connection learns; called on the reader thread, must not block. */
    interface Listener {
        void confirmed(Subscriber subscriber, String channel);

        void message(Subscriber subscriber, String channel, String payload);

        /** The channels are no longer subscribed here (connection lost, or the node refused or moved them). */
        void dropped(Subscriber subscriber, Collection<String> channels);
    }

    private enum Kind {
        SUBSCRIBE,
        UNSUBSCRIBE
    }

    private static final class Sent {
        final Kind kind;
        final String channel;

        Sent(Kind kind, String channel) {
            this.kind = kind;
            this.channel = channel;
        }
    }

    private final String node;
    private final Supplier<Connection> connections;
    private final boolean sharded;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Set<String> wanted = new LinkedHashSet<>();
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private Connection connection;
    private Thread thread;
    private boolean closed;
    private boolean watching;
    /** {@link #watching}, readable without the lock: {@link #watch()} is called on every acquisition. */
    private volatile boolean watched;

    /**
     * @param node the node's description, for the thread name and messages
     * @param connections opens a new connection to the node (blocking; called on the reader thread)
     * @param sharded SSUBSCRIBE (Redis Cluster shard channels) instead of SUBSCRIBE
     */
    Subscriber(String node, Supplier<Connection> connections, boolean sharded, Listener listener) {
        this.node = node;
        this.connections = connections;
        this.sharded = sharded;
        this.listener = listener;
    }

    String node() {
        return node;
    }

    /** Subscribes to the channel (idempotent); confirmation arrives through the listener. Does not block on I/O beyond one small write. */
    void subscribe(String channel) {
        lock.lock();
        try {
            if (closed || !wanted.add(channel)) {
                return;
            }
            if (connection != null) {
                send(Kind.SUBSCRIBE, channel);
            } else if (thread == null) {
                startThread();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps the connection open from now on, reconnecting after a break, whether channels are wanted
     * or not. Idempotent and cheap after the first call; does not block.
     */
    void watch() {
        if (watched) {
            return;
        }
        lock.lock();
        try {
            if (closed || watching) {
                return;
            }
            watching = true;
            watched = true;
            if (thread == null) {
                startThread();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the channel (idempotent). */
    void unsubscribe(String channel) {
        lock.lock();
        try {
            if (!wanted.remove(channel)) {
                return;
            }
            if (connection != null && !closed) {
                send(Kind.UNSUBSCRIBE, channel);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the channel is wanted here (for tests). */
    boolean isWanted(String channel) {
        lock.lock();
        try {
            return wanted.contains(channel);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection and ends the thread. Idempotent. */
    void close() {
        Connection open;
        lock.lock();
        try {
            closed = true;
            open = connection;
            connection = null;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (open != null) {
            discard(open);
        }
    }

    private void startThread() {
        thread = new Thread(this::run, "globallock-redis-subscriber-" + node);
        thread.setDaemon(true);
        thread.start();
    }

    /** Called with the lock held. */
    private void send(Kind kind, String channel) {
        ProtocolCommand command = kind == Kind.SUBSCRIBE
                ? (sharded ? Protocol.Command.SSUBSCRIBE : Protocol.Command.SUBSCRIBE)
                : (sharded ? Protocol.Command.SUNSUBSCRIBE : Protocol.Command.UNSUBSCRIBE);
        sent.addLast(new Sent(kind, channel));
        try {
            connection.sendCommand(command, channel);
            connection.getMany(0); // flushes without reading: the reader thread reads the reply
        } catch (JedisException e) {
            // the reader thread sees the broken connection and reconnects
            Connection broken = connection;
            connection = null;
            discard(broken);
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (true) {
            lock.lock();
            try {
                if (closed || (wanted.isEmpty() && !watching)) {
                    thread = null;
                    return;
                }
            } finally {
                lock.unlock();
            }
            Connection opened;
            try {
                opened = connections.get();
                opened.setTimeoutInfinite();
            } catch (RuntimeException e) {
                List<String> lost = wantedSnapshot();
                LOG.log(Level.DEBUG, () -> "pub/sub connection to " + node + " failed: " + e);
                listener.dropped(this, lost);
                backoff = pause(backoff);
                continue;
            }
            lock.lock();
            try {
                if (closed) {
                    discard(opened);
                    thread = null;
                    return;
                }
                connection = opened;
                sent.clear();
                for (String channel : new ArrayList<>(wanted)) {
                    if (connection != null) {
                        send(Kind.SUBSCRIBE, channel);
                    }
                }
            } finally {
                lock.unlock();
            }
            backoff = MIN_BACKOFF_MILLIS;
            read(opened);
            List<String> lost;
            lock.lock();
            try {
                if (connection == opened) {
                    connection = null;
                }
                sent.clear();
                lost = new ArrayList<>(wanted);
                if (closed) {
                    thread = null;
                    discard(opened);
                    return;
                }
            } finally {
                lock.unlock();
            }
            discard(opened);
            if (!lost.isEmpty()) {
                listener.dropped(this, lost);
            }
            backoff = pause(backoff);
        }
    }

    /** Reads replies and messages until the connection breaks. */
    private void read(Connection opened) {
        while (true) {
            Object reply;
            try {
                reply = opened.getUnflushedObject();
            } catch (JedisConnectionException e) {
                LOG.log(Level.DEBUG, () -> "pub/sub connection to " + node + " broke: " + e);
                return;
            } catch (JedisDataException e) {
                onError(e);
                continue;
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "pub/sub connection to " + node + " failed: " + e);
                return;
            }
            if (reply instanceof List) {
                onReply((List<?>) reply);
            }
        }
    }

    private void onReply(List<?> reply) {
        if (reply.size() < 2) {
            return;
        }
        String kind = text(reply.get(0));
        String channel = text(reply.get(1));
        switch (kind) {
            case "message":
            case "smessage":
                listener.message(this, channel, reply.size() > 2 ? text(reply.get(2)) : "");
                return;
            case "subscribe":
            case "ssubscribe":
                onAnswer(Kind.SUBSCRIBE, channel);
                return;
            case "unsubscribe":
            case "sunsubscribe":
                onAnswer(Kind.UNSUBSCRIBE, channel);
                return;
            default:
            // pong and anything else: nothing to do
        }
    }

    private void onAnswer(Kind kind, String channel) {
        boolean confirmed = false;
        boolean dropped = false;
        lock.lock();
        try {
            Sent head = sent.peekFirst();
            if (head != null && head.kind == kind && head.channel.equals(channel)) {
                sent.pollFirst();
                confirmed = kind == Kind.SUBSCRIBE && wanted.contains(channel) && !pending(channel);
            } else if (kind == Kind.UNSUBSCRIBE && wanted.remove(channel)) {
                // unsolicited: the node gave up the channel's slot (resharding, failover)
                dropped = true;
            }
        } finally {
            lock.unlock();
        }
        if (confirmed) {
            listener.confirmed(this, channel);
        } else if (dropped) {
            listener.dropped(this, List.of(channel));
        }
    }

    private void onError(JedisDataException error) {
        String channel = null;
        lock.lock();
        try {
            Sent head = sent.pollFirst();
            if (head != null && head.kind == Kind.SUBSCRIBE && wanted.remove(head.channel)) {
                channel = head.channel;
            }
        } finally {
            lock.unlock();
        }
        LOG.log(Level.DEBUG, () -> "node " + node + " refused a pub/sub command: " + error.getMessage());
        if (channel != null) {
            listener.dropped(this, List.of(channel));
        }
    }

    /** Called with the lock held: whether a command for the channel still awaits its answer. */
    private boolean pending(String channel) {
        for (Sent s : sent) {
            if (s.channel.equals(channel)) {
                return true;
            }
        }
        return false;
    }

    private List<String> wantedSnapshot() {
        lock.lock();
        try {
            return new ArrayList<>(wanted);
        } finally {
            lock.unlock();
        }
    }

    /** Waits before reconnecting (unless closed); returns the next backoff. */
    private long pause(long backoff) {
        lock.lock();
        try {
            if (!closed) {
                wake.await(backoff, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
        return Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }

    private static void discard(Connection connection) {
        try {
            connection.setBroken();
            connection.close();
        } catch (RuntimeException e) {
            // already gone
        }
    }

    private static String text(Object value) {
        if (value instanceof byte[]) {
            return new String((byte[]) value, StandardCharsets.UTF_8);
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return "Subscriber{" + node + (sharded ? ", sharded" : "") + "}";
    }
}
