/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.Secret;
import dev.globallock.spi.support.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/**
 * Every Jedis client object the engine makes, from the engine configuration, in one place: the
 * client settings of the data nodes and of the sentinels (timeouts, client name, user and password,
 * database, TLS by the {@code tls} settings or the nodes' {@code rediss://} scheme), the bounded pools, single connections (for
 * pub/sub), and Jedis's Sentinel and Cluster connection providers. An application's own client is
 * not made here (the engine only borrows its connections). Thread-safe.
 */
final class RedisConnector {
    static final String CLIENT_NAME = "globallock";

    private final RedisEngineConfig config;
    /** The data nodes' (masters') client settings; without a database in cluster mode. */
    private final JedisClientConfig nodeConfig;

    RedisConnector(RedisEngineConfig config) {
        this.config = config;
        this.nodeConfig = nodeConfig(config, config.mode() != RedisMode.CLUSTER);
    }

    /** The configured nodes as addresses: the server, the sentinels, the cluster's seeds or the Redlock masters. */
    List<HostAndPort> nodes() {
        return new ArrayList<>(hostsAndPorts(config.nodes()));
    }

    /** A new connection to a data node (handshake done: authenticated, database selected). */
    Connection connect(HostAndPort node) {
        return new Connection(node, nodeConfig);
    }

    /**
     * A bounded pool to one node whose every new connection reads the server's identity (one more
     * round trip per connection, none per command) and reports its outcome to {@code identity}.
     */
    ConnectionPool pool(HostAndPort node, NodeIdentity identity) {
        return new ConnectionPool(new IdentifyingFactory(node, nodeConfig, identity), poolConfig());
    }

    /** A bounded pool to one node, without identity checks: the rate limiters' own connections. */
    ConnectionPool pool(HostAndPort node) {
        return new ConnectionPool(node, nodeConfig, poolConfig());
    }

    /** Jedis's Sentinel provider: asks the sentinels for the master now, and pools connections to it. */
    SentineledConnectionProvider sentinels() {
        JedisClientConfig sentinelConfig = sentinelConfig(config);
        try {
            return new SentineledConnectionProvider(
                    config.masterName().orElseThrow(),
                    nodeConfig,
                    poolConfig(),
                    hostsAndPorts(config.nodes()),
                    sentinelConfig);
        } catch (JedisConnectionException e) {
            // Jedis says only "All sentinels down": ask the first one why (TLS, credentials)
            Throwable refusal = null;
            try (Connection sentinel = new Connection(nodes().get(0), sentinelConfig)) {
                sentinel.ping();
            } catch (RuntimeException why) {
                refusal = why;
            }
            SentinelsUnusable unusable =
                    new SentinelsUnusable(e.getMessage(), refusal == null ? e.getCause() : refusal);
            unusable.addSuppressed(e);
            throw unusable;
        }
    }

    /** No sentinel could be used; the cause is the first sentinel's refusal, when it refused. */
    static final class SentinelsUnusable extends JedisConnectionException {
        private static final long serialVersionUID = 1L;

        SentinelsUnusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Jedis's Cluster provider: reads the slot map from the seeds, and pools connections to each master. */
    ClusterConnectionProvider cluster() {
        return new ClusterConnectionProvider(hostsAndPorts(config.nodes()), nodeConfig, poolConfig());
    }

    /** The client settings of the data nodes (masters). */
    private static JedisClientConfig nodeConfig(RedisEngineConfig config, boolean withDatabase) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(config.connectTimeout()))
                .socketTimeoutMillis(millis(config.commandTimeout()))
                .clientName(CLIENT_NAME);
        tls(builder, config);
        config.username().ifPresent(builder::user);
        config.password().map(Secret::reveal).ifPresent(builder::password);
        if (withDatabase) {
            builder.database(config.database());
        }
        return builder.build();
    }

    /** The client settings of the sentinels. */
    private static JedisClientConfig sentinelConfig(RedisEngineConfig config) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(config.connectTimeout()))
                .socketTimeoutMillis(millis(config.commandTimeout()))
                .clientName(CLIENT_NAME + "-sentinel");
        tls(builder, config);
        config.sentinelUsername().ifPresent(builder::user);
        config.sentinelPassword().map(Secret::reveal).ifPresent(builder::password);
        return builder.build();
    }

    /**
     * TLS as the {@code tls} settings say (trusted CAs, client certificate, hostname verification),
     * or with the JVM's defaults for {@code rediss://} nodes without them.
     */
    private static void tls(DefaultJedisClientConfig.Builder builder, RedisEngineConfig config) {
        TlsSettings tls = config.tls();
        builder.ssl(usesTls(config));
        if (tls.enabled()) {
            builder.sslSocketFactory(new Handshaking(tls, millis(config.connectTimeout())))
                    .sslParameters(tls.sslParameters());
        }
    }

    /**
     * The settings' socket factory, handshaking at once within the connect timeout: else the
     * handshake would run on the first command, bounded by the command timeout only.
     */
    private static final class Handshaking extends SSLSocketFactory {
        private final TlsSettings tls;
        private final SSLSocketFactory factory;
        private final int timeoutMillis;

        Handshaking(TlsSettings tls, int timeoutMillis) {
            this.tls = tls;
            this.factory = tls.socketFactory();
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            SSLSocket ssl = (SSLSocket) factory.createSocket(socket, host, port, autoClose);
            ssl.setSSLParameters(tls.sslParameters());
            int soTimeout = socket.getSoTimeout();
            ssl.setSoTimeout(timeoutMillis);
            ssl.startHandshake();
            ssl.setSoTimeout(soTimeout);
            return ssl;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return factory.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return factory.createSocket(host, port, local, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return factory.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return factory.createSocket(host, port, local, localPort);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return factory.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return factory.getSupportedCipherSuites();
        }
    }

    /** A bounded pool: borrowing waits at most a connect plus a command timeout. */
    private GenericObjectPoolConfig<Connection> poolConfig() {
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

    /** TLS by the {@code tls} settings, or by {@code rediss://} nodes (then with the JVM's default trust store). */
    static boolean usesTls(RedisEngineConfig config) {
        return config.tls().enabled()
                || (!config.nodes().isEmpty()
                        && config.nodes().get(0).getScheme().equals("rediss"));
    }

    private static Set<HostAndPort> hostsAndPorts(Iterable<URI> uris) {
        Set<HostAndPort> result = new LinkedHashSet<>();
        for (URI uri : uris) {
            result.add(new HostAndPort(uri.getHost(), uri.getPort()));
        }
        return result;
    }

    private static int millis(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
    }
}
