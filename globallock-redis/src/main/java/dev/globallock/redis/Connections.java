package dev.globallock.redis;

import dev.globallock.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
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
