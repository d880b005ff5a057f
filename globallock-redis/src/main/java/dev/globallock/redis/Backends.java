/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.util.function.LongSupplier;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/** Opens the {@link Backend} of the configured mode, on the clients that {@link RedisConnector} makes. */
final class Backends {
    private Backends() {}

    /** @param ticker the engine's monotonic clock, in nanoseconds */
    static Backend create(RedisEngineConfig config, Subscriber.Listener listener, LongSupplier ticker) {
        RedisConnector connector = new RedisConnector(config);
        switch (config.mode()) {
            case SINGLE:
                return config.client().isPresent()
                        ? applicationClient(config, config.client().get(), listener, ticker)
                        : single(config, connector, listener, ticker);
            case SENTINEL:
                return sentinel(config, connector, listener, ticker);
            case CLUSTER:
                return new ClusterBackend(config, connector, listener);
            case REDLOCK:
                return new RedlockBackend(config, connector, listener, ticker);
            default:
                throw new IllegalArgumentException("unknown mode " + config.mode());
        }
    }

    private static Backend single(
            RedisEngineConfig config, RedisConnector connector, Subscriber.Listener listener, LongSupplier ticker) {
        HostAndPort node = connector.nodes().get(0);
        NodeIdentity identity = new NodeIdentity(node.toString(), ticker, null);
        ConnectionPool pool = connector.pool(node, identity);
        return new StandaloneBackend(
                config.describeEndpoint(),
                pool::getResource,
                () -> identity.open(() -> connector.connect(node)),
                pool::close,
                config,
                listener,
                identity,
                true);
    }

    /**
     * The application's pool is not ours: only the pub/sub connection reads the identity, and it is
     * not kept open to watch (it would hold one of the application's connections for good).
     */
    private static Backend applicationClient(
            RedisEngineConfig config, RedisClient client, Subscriber.Listener listener, LongSupplier ticker) {
        Supplier<Connection> borrow = () -> client.getPool().getResource();
        NodeIdentity identity = new NodeIdentity(config.describeEndpoint(), ticker, null);
        return new StandaloneBackend(
                config.describeEndpoint(),
                borrow,
                () -> identity.open(borrow),
                () -> {},
                config,
                listener,
                identity,
                false);
    }

    /**
     * The master's pool belongs to Jedis's Sentinel provider: only the pub/sub connection (which
     * also watches, and follows the master the provider names) reads the identity.
     */
    private static Backend sentinel(
            RedisEngineConfig config, RedisConnector connector, Subscriber.Listener listener, LongSupplier ticker) {
        SentineledConnectionProvider provider = connector.sentinels();
        NodeIdentity identity =
                new NodeIdentity("the master '" + config.masterName().orElseThrow() + "'", ticker, null);
        return new StandaloneBackend(
                config.describeEndpoint(),
                provider::getConnection,
                () -> identity.open(() -> connector.connect(provider.getCurrentMaster())),
                provider::close,
                config,
                listener,
                identity,
                true);
    }
}
