/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.util.function.Function;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.Pool;

/**
 * The rate limiters' own connections, apart from the lock engine's, so that rate limiting traffic
 * (which may be heavy) never queues lock acquisitions and lease renewals behind it: a pool to the
 * single server (or the application's client), to the master Sentinel names, or to the master of
 * each Cluster slot. Made by the engine's {@link RedisConnector}, with its settings; opened on
 * the first call, closed with the manager. Thread-safe.
 */
abstract class RedisRateConnections implements AutoCloseable {
    /** Runs the call on a connection to the master of the key's slot. */
    abstract <T> T onNodeOf(String key, Function<Connection, T> call);

    /** Forgets connections a restart or failover may have broken: the next call opens new ones. */
    abstract void reset();

    @Override
    public abstract void close();

    static RedisRateConnections open(RedisEngineConfig config) {
        RedisConnector connector = new RedisConnector(config);
        switch (config.mode()) {
            case SINGLE:
                if (config.client().isPresent()) {
                    return new Pooled(config.client().get().getPool()::getResource, () -> {}, () -> {});
                }
                ConnectionPool pool = connector.pool(connector.nodes().get(0));
                return new Pooled(pool::getResource, pool::clear, pool::close);
            case SENTINEL:
                SentineledConnectionProvider provider = connector.sentinels();
                return new Pooled(
                        provider::getConnection,
                        () -> provider.getConnectionMap().values().forEach(p -> ((Pool<?>) p).clear()),
                        provider::close);
            case CLUSTER:
                return new Cluster(connector.cluster());
            default:
                throw new IllegalArgumentException("no rate limiters in " + config.mode() + " mode");
        }
    }

    /** One master behind a pool. */
    private static final class Pooled extends RedisRateConnections {
        private final java.util.function.Supplier<Connection> borrow;
        private final Runnable clear;
        private final Runnable closer;

        Pooled(java.util.function.Supplier<Connection> borrow, Runnable clear, Runnable closer) {
            this.borrow = borrow;
            this.clear = clear;
            this.closer = closer;
        }

        @Override
        <T> T onNodeOf(String key, Function<Connection, T> call) {
            try (Connection connection = borrow.get()) {
                return call.apply(connection);
            }
        }

        @Override
        void reset() {
            clear.run();
        }

        @Override
        public void close() {
            closer.run();
        }
    }

    /** A cluster: the master of the key's slot, following one MOVED (after re-reading the slots) or ASK. */
    private static final class Cluster extends RedisRateConnections {
        private final ClusterConnectionProvider provider;

        Cluster(ClusterConnectionProvider provider) {
            this.provider = provider;
        }

        @Override
        <T> T onNodeOf(String key, Function<Connection, T> call) {
            int slot = JedisClusterCRC16.getSlot(key);
            try (Connection connection = provider.getConnectionFromSlot(slot)) {
                return call.apply(connection);
            } catch (JedisMovedDataException e) {
                provider.renewSlotCache();
                return onNode(e.getTargetNode(), call, false);
            } catch (JedisAskDataException e) {
                return onNode(e.getTargetNode(), call, true);
            }
        }

        private <T> T onNode(HostAndPort node, Function<Connection, T> call, boolean asking) {
            try (Connection connection = provider.getConnection(node)) {
                if (asking) {
                    connection.executeCommand(Protocol.Command.ASKING);
                }
                return call.apply(connection);
            }
        }

        @Override
        void reset() {
            provider.getConnectionMap().values().forEach(ConnectionPool::clear);
            provider.renewSlotCache();
        }

        @Override
        public void close() {
            provider.close();
        }
    }
}
