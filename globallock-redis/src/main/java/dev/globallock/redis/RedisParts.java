/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.util.Collection;

/**
 * The engine's parts, wired once when it opens: the adapter ({@link RedisLockEngine}) reaches them
 * here, and no part knows the adapter. The backend is made first, with the pub/sub events it will
 * deliver to the wait room that is made after it (and needs it); the identity of every node reports
 * to the leases.
 *
 * <p>Construction opens no connection (Sentinel asks the sentinels for the master at once, see
 * {@link Backends}). The parts are thread-safe; this holder is immutable once built.
 */
final class RedisParts {
    final EngineThreads threads;
    final Backend backend;
    final EngineState state;
    final Topology topology;
    final RideThrough rideThrough;
    final Undo undo;
    final Leases leases;
    final WaitRoom room;
    final WaiterFactory waiters;
    final RedisInspector inspector;

    /** @throws RuntimeException what opening the backend threw (the engine says which endpoint failed) */
    RedisParts(RedisEngineConfig config) {
        this.threads = new EngineThreads(config);
        this.backend = Backends.create(
                config, new SubscriberEvents(), () -> threads.ticker().read());
        this.state = new EngineState(config, backend::describe);
        this.topology = new Topology(backend::refreshTopology, threads::execute);
        this.rideThrough = new RideThrough(config.failoverTimeout());
        this.undo = new Undo(backend, threads, state, config.failoverTimeout());
        this.leases = new Leases(config.mode(), backend, topology, threads, state);
        this.room = new WaitRoom(backend::subscribersFor, threads, topology, undo);
        Attempts attempts = new Attempts(backend, room, leases, rideThrough, undo, topology, threads, state);
        this.waiters = new WaiterFactory(attempts, room, undo);
        this.inspector = new RedisInspector(backend, threads, topology, state);
        for (NodeIdentity node : backend.nodes()) {
            node.listener(leases);
        }
    }

    /**
     * The backend's pub/sub events, for the wait room (made before the backend, which needs them,
     * and the room, which needs the backend). They come after the parts are built: a subscriber
     * reads only once a waiter subscribes or a lease is watched.
     */
    private final class SubscriberEvents implements Subscriber.Listener {
        @Override
        public void confirmed(Subscriber subscriber, String channel) {
            room.confirmed(subscriber, channel);
        }

        @Override
        public void message(Subscriber subscriber, String channel, String payload) {
            room.message(subscriber, channel, payload);
        }

        @Override
        public void dropped(Subscriber subscriber, Collection<String> channels) {
            room.dropped(subscriber, channels);
        }
    }
}
