package dev.globallock.redis;

import dev.globallock.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/** Jedis client and pool settings derived from the engine configuration. */
final class Connections {
    static final String CLIENT_NAME = "globallock";

    private Connections() {}

    /** The client settings of the data nodes (masters). */
    static JedisClientConfig clientConfig(RedisEngineConfig config, boolean withDatabase) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(config.connectTimeout()))
                .socketTimeoutMillis(millis(config.commandTimeout()))
                .clientName(CLIENT_NAME)
                .ssl(usesTls(config));
        config.username().ifPresent(builder::user);
        config.password().map(Secret::reveal).ifPresent(builder::password);
        if (withDatabase) {
            builder.database(config.database());
        }
        return builder.build();
    }

    /** The client settings of the sentinels. */
    static JedisClientConfig sentinelConfig(RedisEngineConfig config) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(config.connectTimeout()))
                .socketTimeoutMillis(millis(config.commandTimeout()))
                .clientName(CLIENT_NAME + "-sentinel")
                .ssl(usesTls(config));
        config.sentinelUsername().ifPresent(builder::user);
        config.sentinelPassword().map(Secret::reveal).ifPresent(builder::password);
        return builder.build();
    }

    /** A bounded pool: borrowing waits at most a connect plus a command timeout. */
    static GenericObjectPoolConfig<Connection> poolConfig(RedisEngineConfig config) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(config.connectTimeout().plus(config.commandTimeout()));
        pool.setJmxEnabled(false);
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(false);
        return pool;
    }

    /**
     * A bounded pool to one node whose every new connection reads the server's identity (one more
     * round trip per connection, none per command) and reports its outcome to {@code identity}.
     */
    static ConnectionPool pool(
            HostAndPort node, JedisClientConfig clientConfig, RedisEngineConfig config, NodeIdentity identity) {
        return new ConnectionPool(new IdentifyingFactory(node, clientConfig, identity), poolConfig(config));
    }

    /** Jedis's connection factory, followed by {@link NodeIdentity#identified} on each new connection. */
    private static final class IdentifyingFactory extends ConnectionFactory {
        private final NodeIdentity identity;

        IdentifyingFactory(HostAndPort node, JedisClientConfig clientConfig, NodeIdentity identity) {
            super(node, clientConfig);
            this.identity = identity;
        }

        @Override
        public PooledObject<Connection> makeObject() throws Exception {
            identity.connecting();
            PooledObject<Connection> made;
            try {
                made = super.makeObject();
            } catch (RuntimeException e) {
                identity.failed(e);
                throw e;
            }
            try {
                identity.identified(made.getObject());
            } catch (RuntimeException e) {
                identity.failed(e);
                try {
                    made.getObject().close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return made;
        }
    }

    static boolean usesTls(RedisEngineConfig config) {
        return !config.nodes().isEmpty() && config.nodes().get(0).getScheme().equals("rediss");
    }

    static HostAndPort hostAndPort(URI uri) {
        return new HostAndPort(uri.getHost(), uri.getPort());
    }

    static Set<HostAndPort> hostsAndPorts(Iterable<URI> uris) {
        Set<HostAndPort> result = new LinkedHashSet<>();
        for (URI uri : uris) {
            result.add(hostAndPort(uri));
        }
        return result;
    }

    private static int millis(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
    }
}
