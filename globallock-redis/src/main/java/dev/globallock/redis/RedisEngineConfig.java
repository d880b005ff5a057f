/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.Durations;
import dev.globallock.Secret;
import dev.globallock.spi.support.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.RedisClient;

/**
 * The Redis engine's configuration, typed and validated. Immutable and thread-safe; build it with
 * {@link #builder()}, or let {@link RedisLockEngineProvider} read it from the {@code redis:} section.
 *
 * <pre>{@code
 * RedisEngineConfig config = RedisEngineConfig.builder()
 *         .mode(RedisMode.SINGLE)
 *         .nodes(List.of("redis://127.0.0.1:6379"))
 *         .password(Secret.of(System.getenv("REDIS_PASSWORD")))
 *         .build();
 * GlobalLockManager locks = GlobalLockManager.builder().engine(RedisLockEngine.open(config)).build();
 * }</pre>
 *
 * <p>{@link #toString()} never shows the passwords.
 */
public final class RedisEngineConfig {
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_WAIT_FOR_REPLICAS_TIMEOUT = Duration.ofMillis(100);
    static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(15);
    static final int DEFAULT_POOL_SIZE = 16;
    static final int DEFAULT_RENEW_BATCH_SIZE = 1000;

    private final RedisMode mode;
    private final List<URI> nodes;
    private final String masterName;
    private final String username;
    private final Secret password;
    private final String sentinelUsername;
    private final Secret sentinelPassword;
    private final int database;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final int poolSize;
    private final int waitForReplicas;
    private final Duration waitForReplicasTimeout;
    private final int renewBatchSize;
    private final Duration failoverTimeout;
    private final TlsSettings tls;
    private final RedisClient client;

    private RedisEngineConfig(Builder b) {
        this.mode = b.mode == null ? RedisMode.SINGLE : b.mode;
        this.nodes = b.nodes == null ? List.of() : b.nodes;
        this.masterName = b.masterName;
        this.username = b.username;
        this.password = b.password;
        this.sentinelUsername = b.sentinelUsername;
        this.sentinelPassword = b.sentinelPassword;
        this.database = b.database == null ? 0 : b.database;
        this.connectTimeout = b.connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : b.connectTimeout;
        this.commandTimeout = b.commandTimeout == null ? DEFAULT_COMMAND_TIMEOUT : b.commandTimeout;
        this.poolSize = b.poolSize == null ? DEFAULT_POOL_SIZE : b.poolSize;
        this.waitForReplicas = b.waitForReplicas == null ? 0 : b.waitForReplicas;
        this.waitForReplicasTimeout =
                b.waitForReplicasTimeout == null ? DEFAULT_WAIT_FOR_REPLICAS_TIMEOUT : b.waitForReplicasTimeout;
        this.renewBatchSize = b.renewBatchSize == null ? DEFAULT_RENEW_BATCH_SIZE : b.renewBatchSize;
        this.failoverTimeout = b.failoverTimeout == null ? DEFAULT_FAILOVER_TIMEOUT : b.failoverTimeout;
        this.tls = b.tls == null ? TlsSettings.disabled() : b.tls;
        this.client = b.client;
    }

    /** A builder; every value may be set once. */
    public static Builder builder() {
        return new Builder();
    }

    /** The topology; {@link RedisMode#SINGLE} by default. */
    public RedisMode mode() {
        return mode;
    }

    /**
     * The {@code redis://} / {@code rediss://} URIs: the server (single), the sentinels (sentinel),
     * seed nodes (cluster) or the independent masters (redlock). Empty when an application client
     * was given.
     */
    public List<URI> nodes() {
        return nodes;
    }

    /** The Sentinel master name (sentinel mode only). */
    public Optional<String> masterName() {
        return Optional.ofNullable(masterName);
    }

    /** The ACL user name; absent for the default user. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The password of the Redis servers (the masters, in sentinel mode). */
    public Optional<Secret> password() {
        return Optional.ofNullable(password);
    }

    /** The ACL user of the sentinels themselves (sentinel mode). */
    public Optional<String> sentinelUsername() {
        return Optional.ofNullable(sentinelUsername);
    }

    /** The password of the sentinels themselves (sentinel mode). */
    public Optional<Secret> sentinelPassword() {
        return Optional.ofNullable(sentinelPassword);
    }

    /** The database index (not in cluster mode); 0 by default. */
    public int database() {
        return database;
    }

    /** How long to wait for a TCP connection (and the handshake); 2 s by default. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for one command's reply; 2 s by default. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /**
     * Connections per node, and the number of engine I/O threads that run operations whose caller
     * does not wait for them itself; 16 by default.
     */
    public int poolSize() {
        return poolSize;
    }

    /** Replicas that must acknowledge an acquisition ({@code WAIT}) before it is granted; 0 (off) by default. */
    public int waitForReplicas() {
        return waitForReplicas;
    }

    /** How long an acquisition waits for {@link #waitForReplicas()} acknowledgements; 100 ms by default. */
    public Duration waitForReplicasTimeout() {
        return waitForReplicasTimeout;
    }

    /** The most locks one renewal script call extends; 1000 by default. */
    public int renewBatchSize() {
        return renewBatchSize;
    }

    /**
     * How long a waiting acquisition keeps retrying through connection errors (a failover, a
     * restart) before it fails; 15 s by default. A first attempt that fails is reported at once.
     */
    public Duration failoverTimeout() {
        return failoverTimeout;
    }

    /**
     * The TLS settings (trusted CAs, client certificate, hostname verification) of the nodes and,
     * in sentinel mode, of the sentinels too; off unless given. {@code rediss://} nodes without
     * them use TLS with the JVM's default trust store.
     */
    public TlsSettings tls() {
        return tls;
    }

    /** The application's client, if one was given: the engine uses it and never closes it. */
    public Optional<RedisClient> client() {
        return Optional.ofNullable(client);
    }

    /** The endpoints for messages: the node URIs without credentials. */
    String describeEndpoint() {
        if (client != null) {
            return "redis (application client" + (nodes.isEmpty() ? "" : " " + join(nodes)) + ")";
        }
        String described = join(nodes);
        return mode == RedisMode.SENTINEL ? described + " (sentinels, master '" + masterName + "')" : described;
    }

    private static String join(List<URI> uris) {
        List<String> shown = new ArrayList<>();
        for (URI uri : uris) {
            shown.add(uri.toString());
        }
        return String.join(",", shown);
    }

    @Override
    public String toString() {
        return "RedisEngineConfig{mode=" + mode.name().toLowerCase(Locale.ROOT) + ", nodes=" + nodes
                + (masterName == null ? "" : ", masterName=" + masterName)
                + (username == null ? "" : ", username=" + username)
                + (password == null ? "" : ", password=******")
                + (sentinelUsername == null ? "" : ", sentinelUsername=" + sentinelUsername)
                + (sentinelPassword == null ? "" : ", sentinelPassword=******")
                + ", database=" + database + ", connectTimeout=" + Durations.format(connectTimeout)
                + ", commandTimeout=" + Durations.format(commandTimeout) + ", poolSize=" + poolSize
                + (waitForReplicas == 0
                        ? ""
                        : ", waitForReplicas=" + waitForReplicas + " within "
                                + Durations.format(waitForReplicasTimeout))
                + ", renewBatchSize=" + renewBatchSize + ", failoverTimeout=" + Durations.format(failoverTimeout)
                + (tls.enabled() ? ", tls=" + tls : "")
                + (client == null ? "" : ", client=application's") + "}";
    }

    /**
     * Builds a {@link RedisEngineConfig}. Not thread-safe; each value may be set once. A refused
     * value is said as {@code <name> was '<value>' but <reason>}, with the reasons of {@code
     * RedisConfigRules}, as the {@code redis:} section's reader says them.
     */
    public static final class Builder {
        private RedisMode mode;
        private List<URI> nodes;
        private String masterName;
        private String username;
        private Secret password;
        private String sentinelUsername;
        private Secret sentinelPassword;
        private Integer database;
        private Duration connectTimeout;
        private Duration commandTimeout;
        private Integer poolSize;
        private Integer waitForReplicas;
        private Duration waitForReplicasTimeout;
        private Integer renewBatchSize;
        private Duration failoverTimeout;
        private TlsSettings tls;
        private RedisClient client;

        private Builder() {}

        /** The topology; {@link RedisMode#SINGLE} when not set. */
        public Builder mode(RedisMode mode) {
            Objects.requireNonNull(mode, "mode");
            once(this.mode, "mode");
            this.mode = mode;
            return this;
        }

        /**
         * The node URIs ({@code redis://host:port}, {@code rediss://host:port} for TLS). Set the
         * mode first if it is {@link RedisMode#SENTINEL}, whose default port is 26379.
         *
         * @throws IllegalArgumentException if the list is empty or a URI is not a plain node URI
         */
        public Builder nodes(List<String> nodes) {
            Objects.requireNonNull(nodes, "nodes");
            once(this.nodes, "nodes");
            RedisMode m = mode == null ? RedisMode.SINGLE : mode;
            if (nodes.isEmpty()) {
                refuse("nodes", nodes, RedisConfigRules.nodesProblem(List.of(), m));
            }
            List<URI> parsed = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                String node = Objects.requireNonNull(nodes.get(i), "node");
                try {
                    parsed.add(RedisConfigRules.parseNode(node, m));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("node " + i + " was rejected: " + e.getMessage(), e);
                }
            }
            this.nodes = List.copyOf(parsed);
            return this;
        }

        /** The Sentinel master name; required in sentinel mode, refused otherwise. */
        public Builder masterName(String masterName) {
            Objects.requireNonNull(masterName, "masterName");
            once(this.masterName, "masterName");
            refuse("masterName", masterName, RedisConfigRules.masterNameProblem(masterName));
            this.masterName = masterName;
            return this;
        }

        /** The ACL user; leave unset for the default user. */
        public Builder username(String username) {
            Objects.requireNonNull(username, "username");
            once(this.username, "username");
            refuse("username", username, RedisConfigRules.usernameProblem(username));
            this.username = username;
            return this;
        }

        /** The servers' password. */
        public Builder password(Secret password) {
            Objects.requireNonNull(password, "password");
            once(this.password, "password");
            this.password = password;
            return this;
        }

        /** The sentinels' ACL user (sentinel mode). */
        public Builder sentinelUsername(String username) {
            Objects.requireNonNull(username, "sentinelUsername");
            once(this.sentinelUsername, "sentinelUsername");
            refuse("sentinelUsername", username, RedisConfigRules.usernameProblem(username));
            this.sentinelUsername = username;
            return this;
        }

        /** The sentinels' password (sentinel mode). */
        public Builder sentinelPassword(Secret password) {
            Objects.requireNonNull(password, "sentinelPassword");
            once(this.sentinelPassword, "sentinelPassword");
            this.sentinelPassword = password;
            return this;
        }

        /**
         * The database index, 0 or more; the server's {@code databases} setting (16 by default) limits
         * it, and a server that refuses it fails the first operation with a {@link
         * dev.globallock.LockConfigException} naming {@code redis.database}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder database(int database) {
            once(this.database, "database");
            refuse("database", database, RedisConfigRules.databaseProblem(database, RedisMode.SINGLE));
            this.database = database;
            return this;
        }

        /** The TCP connect (and handshake) timeout, 1 ms to 10 min. */
        public Builder connectTimeout(Duration timeout) {
            once(this.connectTimeout, "connectTimeout");
            this.connectTimeout = timeout("connectTimeout", timeout);
            return this;
        }

        /** The reply timeout of one command, 1 ms to 10 min. */
        public Builder commandTimeout(Duration timeout) {
            once(this.commandTimeout, "commandTimeout");
            this.commandTimeout = timeout("commandTimeout", timeout);
            return this;
        }

        /** Connections per node and engine I/O threads, 1 to 1024. */
        public Builder poolSize(int poolSize) {
            once(this.poolSize, "poolSize");
            refuse("poolSize", poolSize, RedisConfigRules.poolSizeProblem(poolSize));
            this.poolSize = poolSize;
            return this;
        }

        /** Replicas that must acknowledge each acquisition before it is granted (0 to 100; 0 is off). */
        public Builder waitForReplicas(int replicas) {
            once(this.waitForReplicas, "waitForReplicas");
            refuse("waitForReplicas", replicas, RedisConfigRules.waitForReplicasProblem(replicas, RedisMode.SINGLE));
            this.waitForReplicas = replicas;
            return this;
        }

        /** How long to wait for the replicas' acknowledgement. */
        public Builder waitForReplicasTimeout(Duration timeout) {
            once(this.waitForReplicasTimeout, "waitForReplicasTimeout");
            this.waitForReplicasTimeout = timeout("waitForReplicasTimeout", timeout);
            return this;
        }

        /** The most locks one renewal script call extends, 1 to 100000. */
        public Builder renewBatchSize(int size) {
            once(this.renewBatchSize, "renewBatchSize");
            refuse("renewBatchSize", size, RedisConfigRules.renewBatchSizeProblem(size));
            this.renewBatchSize = size;
            return this;
        }

        /** How long waiting acquisitions retry through connection errors before failing. */
        public Builder failoverTimeout(Duration timeout) {
            once(this.failoverTimeout, "failoverTimeout");
            this.failoverTimeout = timeout("failoverTimeout", timeout);
            return this;
        }

        /**
         * TLS for the nodes (and the sentinels), as {@link TlsSettings#read} reads the {@code
         * redis.tls} section: on for {@code redis://} nodes too when enabled.
         */
        public Builder tls(TlsSettings tls) {
            Objects.requireNonNull(tls, "tls");
            once(this.tls, "tls");
            this.tls = tls;
            return this;
        }

        /**
         * Uses the application's client (single mode) instead of opening a pool: the engine borrows
         * its connections (one of them, while anybody waits, for pub/sub) and never closes it.
         * Connection settings (nodes, credentials, timeouts, pool size) are the client's own then.
         */
        public Builder client(RedisClient client) {
            Objects.requireNonNull(client, "client");
            once(this.client, "client");
            this.client = client;
            return this;
        }

        private static Duration timeout(String what, Duration value) {
            Objects.requireNonNull(value, what);
            refuse(what, Durations.format(value), RedisConfigRules.timeoutProblem(value));
            return value;
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /** @throws IllegalArgumentException {@code <name> was '<value>' but <problem>}, unless the problem is null */
        private static void refuse(String name, Object value, String problem) {
            if (problem != null) {
                throw new IllegalArgumentException(RedisConfigRules.said(name, value, problem));
            }
        }

        /**
         * Checks the combination and builds the configuration.
         *
         * @throws IllegalStateException if the values do not fit together (no nodes, a sentinel
         *     mode without master name, too few Redlock nodes...), listing every problem
         */
        public RedisEngineConfig build() {
            RedisMode m = mode == null ? RedisMode.SINGLE : mode;
            RedisConfigCombination combination = new RedisConfigCombination(m);
            if (client != null) {
                combination.client(nodes, tls);
            } else {
                combination.nodes(nodes);
            }
            combination.sentinel(masterName, sentinelUsername, sentinelPassword != null);
            combination.limits(database, waitForReplicas);
            combination.throwIfAny();
            return new RedisEngineConfig(this);
        }
    }
}
