/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.redis.Waiter.Channel;
import dev.globallock.spi.AcquireMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where acquisitions wait for a lock to be released. A waiter is a future, never a thread. After
 * a failed attempt it joins the lock's channel: one pub/sub subscription per lock name per engine,
 * shared by all the engine's waiters for it, held on one subscriber connection (and thread) per
 * node, and dropped when the last waiter leaves. A release message wakes one local waiter; each
 * wait is also bounded by the holder's remaining lease, so an expired lock is taken without any
 * message. Waiters are not granted in FIFO order. A subscription confirmed (again) wakes every
 * waiter of its channel, since releases before it may have been missed; a dropped one is routed
 * again after re-reading the topology.
 *
 * <p>Subscriber events come on a subscriber's reader thread: only bookkeeping here, attempts go to
 * the waiter's blocked caller or the I/O executor. Thread-safe: one lock, no I/O under it.
 */
final class WaitRoom implements Subscriber.Listener {
    private static final long MAX_WAIT_SLICE_MILLIS = 10_000;
    private static final long UNKNOWN_TTL_WAIT_MILLIS = 1_000;

    /** Where releases of a lock are published: the subscribers to listen on. */
    @FunctionalInterface
    interface Routes {
        List<Subscriber> subscribersFor(LockKeys keys);
    }

    /** What a failed attempt leads to. */
    enum AfterFailure {
        /** The waiter tries again after the backoff. */
        RETRIES,
        /** The wait ends with the failure (or because the engine closed). */
        ENDS,
        /** The waiter gave up while the attempt was in flight. */
        GONE
    }

    private final Routes routes;
    private final EngineThreads threads;
    private final Topology topology;
    private final Undo undo;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written with the lock held; read without it only to see that nothing is subscribed. */
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    private final Set<Waiter> waiters = new HashSet<>();
    private volatile boolean closed;

    WaitRoom(Routes routes, EngineThreads threads, Topology topology, Undo undo) {
        this.routes = routes;
        this.threads = threads;
        this.topology = topology;
        this.undo = undo;
    }

    /** Registers a waiter whose first attempt was queued, so that closing finds it. */
    void register(Waiter waiter) {
        lock.lock();
        try {
            waiters.add(waiter);
            waiter.registered = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The channel's message sequence if it is subscribed, or -1: a change means a release was
     * announced. -1 is always safe: the waiter then retries once more after subscribing.
     */
    long sequence(String channelName) {
        if (channels.isEmpty()) {
            return -1;
        }
        lock.lock();
        try {
            Channel channel = channels.get(channelName);
            return channel == null || channel.confirmed.isEmpty() ? -1 : channel.sequence;
        } finally {
            lock.unlock();
        }
    }

    /** The lock was taken: join its channel and wait for a release message or the holder's lease to end. */
    void awaitRelease(Waiter waiter, long pttl, long sequenceBefore) {
        boolean retryNow;
        lock.lock();
        try {
            if (waiter.future.isDone() || closed) {
                return;
            }
            // answered for this owner: an earlier attempt whose connection broke had not granted it here
            waiter.ambiguous = false;
            if (!waiter.registered) {
                waiters.add(waiter);
                waiter.registered = true;
            }
            Channel channel = waiter.channel;
            if (channel == null) {
                channel = join(waiter);
            }
            // subscribed, and a release was announced since the attempt was sent: it may have been missed
            retryNow = !channel.confirmed.isEmpty() && channel.sequence != sequenceBefore;
            waiter.running = retryNow;
            if (!retryNow) {
                long delay = pttl < 0 ? UNKNOWN_TTL_WAIT_MILLIS : Math.min(MAX_WAIT_SLICE_MILLIS, pttl + 1);
                schedule(waiter, delay);
            }
        } finally {
            lock.unlock();
        }
        if (retryNow) {
            retry(waiter);
        }
    }

    /**
     * An attempt failed. Unless the wait ends, the waiter joins the lock's channel, so that the
     * subscription's confirmation on a new master or a release wakes it, and tries again after the
     * backoff.
     *
     * @param ambiguous the attempt may have run (see {@link Errors#mayHaveRun})
     */
    AfterFailure afterFailure(Waiter waiter, boolean ambiguous, boolean endsWait, long backoffMillis) {
        lock.lock();
        try {
            waiter.ambiguous |= ambiguous;
            if (waiter.future.isDone()) {
                return AfterFailure.GONE;
            }
            if (endsWait || closed) {
                return AfterFailure.ENDS;
            }
            waiter.running = false;
            if (!waiter.registered) {
                waiters.add(waiter);
                waiter.registered = true;
            }
            if (waiter.channel == null) {
                join(waiter);
            }
            schedule(waiter, backoffMillis);
            return AfterFailure.RETRIES;
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held: adds the waiter to its lock's channel, subscribing if it is new. */
    private Channel join(Waiter waiter) {
        Channel channel = channels.get(waiter.keys.channel);
        if (channel == null) {
            channel = new Channel(waiter.keys, routes.subscribersFor(waiter.keys));
            channels.put(waiter.keys.channel, channel);
            for (Subscriber subscriber : channel.routes) {
                subscriber.subscribe(channel.name);
            }
        }
        channel.waiters.add(waiter);
        waiter.channel = channel;
        return channel;
    }

    /** Called with the lock held. */
    private void schedule(Waiter waiter, long delayMillis) {
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
        }
        try {
            waiter.timer = threads.schedule(() -> wake(waiter), delayMillis);
        } catch (RejectedExecutionException e) {
            waiter.timer = null; // the manager is closing; it cancels its waits
        }
    }

    /** Retries the waiter now, unless an attempt is already running or it is done. */
    private void wake(Waiter waiter) {
        lock.lock();
        try {
            if (waiter.running || waiter.future.isDone() || closed) {
                return;
            }
            waiter.running = true;
            if (waiter.timer != null) {
                waiter.timer.cancel(false);
                waiter.timer = null;
            }
        } finally {
            lock.unlock();
        }
        retry(waiter);
    }

    /** Runs another attempt: on the waiter's blocked caller if it has one, else on the I/O executor. */
    private void retry(Waiter waiter) {
        try {
            waiter.future.runSoon(waiter::attemptAgain);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** The waiter's future was cancelled: it leaves, undoing an attempt that may have been granted. */
    void cancelled(Waiter waiter) {
        boolean wasWoken;
        boolean undoIt;
        Channel channel;
        lock.lock();
        try {
            channel = waiter.channel;
            wasWoken = waiter.running && channel != null;
            // an attempt whose connection broke may have been granted; one still in flight undoes it itself
            undoIt = waiter.ambiguous && !waiter.running;
        } finally {
            lock.unlock();
        }
        leave(waiter);
        if (undoIt) {
            undo.release(waiter.keys, waiter.owner, waiter.leaseMillis);
        }
        if (wasWoken && channel != null) {
            // it may have been woken by a release: pass the wake-up on
            wakeOne(channel);
        }
    }

    /**
     * {@link #leave} from the waiter's own attempt: only the attempts register a waiter that was not
     * registered at once, and they run one after the other, so no lock is needed to see that it never was.
     */
    void leaveIfRegistered(Waiter waiter) {
        if (waiter.registered) {
            leave(waiter);
        }
    }

    /** Removes the waiter; drops the channel's subscription when it was the last. */
    void leave(Waiter waiter) {
        lock.lock();
        try {
            waiters.remove(waiter);
            if (waiter.timer != null) {
                waiter.timer.cancel(false);
                waiter.timer = null;
            }
            Channel channel = waiter.channel;
            if (channel != null) {
                channel.waiters.remove(waiter);
                if (channel.waiters.isEmpty() && channels.get(channel.name) == channel) {
                    channels.remove(channel.name);
                    for (Subscriber subscriber : channel.routes) {
                        subscriber.unsubscribe(channel.name);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void wakeOne(Channel channel) {
        Waiter chosen = null;
        lock.lock();
        try {
            for (Waiter waiter : channel.waiters) {
                if (!waiter.running && !waiter.future.isDone()) {
                    chosen = waiter;
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (chosen != null) {
            wake(chosen);
        }
    }

    /** Empties the room for good; returns the waiters that were in it, to be failed by the caller. */
    List<Waiter> close() {
        List<Waiter> pending;
        lock.lock();
        try {
            closed = true;
            pending = new ArrayList<>(waiters);
            waiters.clear();
            channels.clear();
            for (Waiter waiter : pending) {
                if (waiter.timer != null) {
                    waiter.timer.cancel(false);
                }
            }
        } finally {
            lock.unlock();
        }
        return pending;
    }

    // ---------------------------------------------------------------------------------- subscriber events

    @Override
    public void confirmed(Subscriber subscriber, String channelName) {
        List<Waiter> toWake = new ArrayList<>();
        lock.lock();
        try {
            Channel channel = channels.get(channelName);
            if (channel == null || !channel.routes.contains(subscriber)) {
                return;
            }
            boolean first = channel.confirmed.isEmpty();
            channel.confirmed.add(subscriber);
            if (first) {
                channel.sequence++;
                // releases before the subscription was active may have been missed: every waiter tries again
                toWake.addAll(channel.waiters);
            }
        } finally {
            lock.unlock();
        }
        toWake.forEach(this::wake);
    }

    @Override
    public void message(Subscriber subscriber, String channelName, String payload) {
        Channel channel;
        List<Waiter> toWake = null;
        lock.lock();
        try {
            channel = channels.get(channelName);
            if (channel == null || payload.equals(channel.lastPayload)) {
                return; // nobody waits, or the same release seen on another Redlock node
            }
            channel.lastPayload = payload;
            channel.sequence++;
            if (channel.keys.mode == AcquireMode.READ || channel.keys.mode == AcquireMode.WRITE) {
                // a writer gone may let every reader in, a reader gone the writer: all of them try
                toWake = new ArrayList<>(channel.waiters);
            }
        } finally {
            lock.unlock();
        }
        if (toWake != null) {
            toWake.forEach(this::wake);
            return;
        }
        wakeOne(channel);
    }

    @Override
    public void dropped(Subscriber subscriber, Collection<String> names) {
        if (names.isEmpty() || closed) {
            return;
        }
        lock.lock();
        try {
            for (String name : names) {
                Channel channel = channels.get(name);
                if (channel != null) {
                    channel.confirmed.remove(subscriber);
                }
            }
        } finally {
            lock.unlock();
        }
        List<String> copy = List.copyOf(names);
        threads.execute(() -> reroute(copy));
    }

    /** After a dropped subscription: re-reads the topology and subscribes where the channel now lives. */
    private void reroute(List<String> names) {
        topology.refreshNow();
        lock.lock();
        try {
            for (String name : names) {
                Channel channel = channels.get(name);
                if (channel == null) {
                    continue;
                }
                List<Subscriber> now = routes.subscribersFor(channel.keys);
                for (Subscriber old : channel.routes) {
                    if (!now.contains(old)) {
                        old.unsubscribe(name);
                        channel.confirmed.remove(old);
                    }
                }
                channel.routes = now;
                for (Subscriber route : now) {
                    route.subscribe(name);
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
