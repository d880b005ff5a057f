package dev.globallock.redis;

import java.util.function.LongSupplier;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/** Opens the {@link Backend} of the configured mode. */
final class Backends {
    private Backends() {}

    /** @param ticker the engine's monotonic clock, in nanoseconds */
    static Backend create(RedisEngineConfig config, Subscriber.Listener listener, LongSupplier ticker) {
        switch (config.mode()) {
            case SINGLE:
                return config.client().isPresent()
                        ? applicationClient(config, config.client().get(), listener, ticker)
                        : single(config, listener, ticker);
            case SENTINEL:
                return sentinel(config, listener, ticker);
            case CLUSTER:
                return new ClusterBackend(config, listener);
            case REDLOCK:
                return new RedlockBackend(config, listener, ticker);
            default:
                throw new IllegalArgumentException("unknown mode " + config.mode());
        }
    }

    private static Backend single(RedisEngineConfig config, Subscriber.Listener listener, LongSupplier ticker) {
        HostAndPort node = Connections.hostAndPort(config.nodes().get(0));
        JedisClientConfig clientConfig = Connections.clientConfig(config, true);
        NodeIdentity identity = new NodeIdentity(node.toString(), ticker, null);
        ConnectionPool pool = Connections.pool(node, clientConfig, config, identity);
        return new StandaloneBackend(
                config.describeEndpoint(),
                pool::getResource,
                () -> identity.open(() -> new Connection(node, clientConfig)),
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
    private static Backend sentinel(RedisEngineConfig config, Subscriber.Listener listener, LongSupplier ticker) {
        JedisClientConfig clientConfig = Connections.clientConfig(config, true);
        SentineledConnectionProvider provider = new SentineledConnectionProvider(
                config.masterName().orElseThrow(),
                clientConfig,
                Connections.poolConfig(config),
                Connections.hostsAndPorts(config.nodes()),
                Connections.sentinelConfig(config));
        NodeIdentity identity =
                new NodeIdentity("the master '" + config.masterName().orElseThrow() + "'", ticker, null);
        return new StandaloneBackend(
                config.describeEndpoint(),
                provider::getConnection,
                () -> identity.open(() -> new Connection(provider.getCurrentMaster(), clientConfig)),
                provider::close,
                config,
                listener,
                identity,
                true);
    }
}
