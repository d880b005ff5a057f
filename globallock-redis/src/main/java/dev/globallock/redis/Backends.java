package dev.globallock.redis;

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

    static Backend create(RedisEngineConfig config, Subscriber.Listener listener) {
        switch (config.mode()) {
            case SINGLE:
                return config.client().isPresent()
                        ? applicationClient(config, config.client().get(), listener)
                        : single(config, listener);
            case SENTINEL:
                return sentinel(config, listener);
            case CLUSTER:
                return new ClusterBackend(config, listener);
            case REDLOCK:
                return new RedlockBackend(config, listener);
            default:
                throw new IllegalArgumentException("unknown mode " + config.mode());
        }
    }

    private static Backend single(RedisEngineConfig config, Subscriber.Listener listener) {
        HostAndPort node = Connections.hostAndPort(config.nodes().get(0));
        JedisClientConfig clientConfig = Connections.clientConfig(config, true);
        ConnectionPool pool = new ConnectionPool(node, clientConfig, Connections.poolConfig(config));
        return new StandaloneBackend(
                config.describeEndpoint(),
                pool::getResource,
                () -> new Connection(node, clientConfig),
                pool::close,
                config,
                listener);
    }

    private static Backend applicationClient(
            RedisEngineConfig config, RedisClient client, Subscriber.Listener listener) {
        Supplier<Connection> borrow = () -> client.getPool().getResource();
        return new StandaloneBackend(config.describeEndpoint(), borrow, borrow, () -> {}, config, listener);
    }

    private static Backend sentinel(RedisEngineConfig config, Subscriber.Listener listener) {
        JedisClientConfig clientConfig = Connections.clientConfig(config, true);
        SentineledConnectionProvider provider = new SentineledConnectionProvider(
                config.masterName().orElseThrow(),
                clientConfig,
                Connections.poolConfig(config),
                Connections.hostsAndPorts(config.nodes()),
                Connections.sentinelConfig(config));
        return new StandaloneBackend(
                config.describeEndpoint(),
                provider::getConnection,
                () -> new Connection(provider.getCurrentMaster(), clientConfig),
                provider::close,
                config,
                listener);
    }
}
