/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Durations;
import dev.globallock.Secret;
import dev.globallock.spi.support.Redaction;
import dev.globallock.spi.support.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * The typed configuration of the {@code zookeeper} engine. Immutable and thread-safe; build it with
 * {@link #builder()}, or let the provider read it from the {@code zookeeper:} section.
 *
 * <p>Either a connect string (the engine then opens, owns and closes its own Curator client) or an
 * existing, started {@link CuratorFramework} (the engine uses it under its namespace and never
 * closes it). Secrets are held as {@link Secret} and never appear in {@link #toString()}.
 */
public final class ZooKeeperEngineConfig {
    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    static final String DEFAULT_NAMESPACE = "globallock";
    static final Duration DEFAULT_RETRY_BASE_SLEEP = Duration.ofMillis(100);
    static final Duration DEFAULT_RETRY_MAX_SLEEP = Duration.ofSeconds(1);
    static final int DEFAULT_RETRY_MAX_RETRIES = 3;
    /**
     * The shortest session timeout accepted. The server grants at least twice its tickTime (4 s with
     * the default tickTime of 2 s), but until it answered, the client gives each connection attempt
     * session-timeout / number of servers and drops a connection silent for two thirds of it: below
     * this, it cannot even connect.
     */
    static final Duration MIN_SESSION_TIMEOUT = Duration.ofMillis(100);
    /** Curator's ExponentialBackoffRetry refuses more. */
    static final int MAX_RETRIES_LIMIT = 29;

    /** Who may touch the lock nodes the engine creates. */
    public enum Acl {
        /** {@code world:anyone} may do anything (ZooKeeper's default). */
        OPEN,
        /** Only the authenticated identity that created a node (digest or SASL) may touch it. */
        CREATOR_ONLY
    }

    private final String connectString;
    private final CuratorFramework client;
    private final Duration sessionTimeout;
    private final Duration connectionTimeout;
    private final String namespace;
    private final Duration retryBaseSleep;
    private final Duration retryMaxSleep;
    private final int retryMaxRetries;
    private final Acl acl;
    private final ZooKeeperSecurity security;

    private ZooKeeperEngineConfig(Builder b, ZooKeeperSecurity security) {
        this.connectString = b.connectString;
        this.client = b.client;
        this.sessionTimeout = b.sessionTimeout != null ? b.sessionTimeout : DEFAULT_SESSION_TIMEOUT;
        this.connectionTimeout = b.connectionTimeout != null ? b.connectionTimeout : DEFAULT_CONNECTION_TIMEOUT;
        this.namespace = b.namespace != null ? b.namespace : DEFAULT_NAMESPACE;
        this.retryBaseSleep = b.retryBaseSleep != null ? b.retryBaseSleep : DEFAULT_RETRY_BASE_SLEEP;
        this.retryMaxSleep = b.retryMaxSleep != null ? b.retryMaxSleep : DEFAULT_RETRY_MAX_SLEEP;
        this.retryMaxRetries = b.retryMaxRetries != null ? b.retryMaxRetries : DEFAULT_RETRY_MAX_RETRIES;
        this.acl = b.acl != null ? b.acl : Acl.OPEN;
        this.security = security;
    }

    /** A builder; every value may be set once. */
    public static Builder builder() {
        return new Builder();
    }

    /** The ensemble, such as {@code zk1:2181,zk2:2181/chroot}; empty when a client was given. */
    public Optional<String> connectString() {
        return Optional.ofNullable(connectString);
    }

    /** The application's own client, which the engine uses but never closes. */
    public Optional<CuratorFramework> client() {
        return Optional.ofNullable(client);
    }

    /** The session timeout asked of the server: the native lease of every lock (default 10 s). */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /** How long to wait for a connection before an operation fails (default 10 s). */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** The node every lock lives under (default {@code globallock}); nested under a given client's own. */
    public String namespace() {
        return namespace;
    }

    public Duration retryBaseSleep() {
        return retryBaseSleep;
    }

    public Duration retryMaxSleep() {
        return retryMaxSleep;
    }

    public int retryMaxRetries() {
        return retryMaxRetries;
    }

    /** The digest user name, when digest authentication is configured. */
    public Optional<String> digestUsername() {
        return Optional.ofNullable(security.digestUsername);
    }

    public Optional<Secret> digestPassword() {
        return Optional.ofNullable(security.digestPassword);
    }

    public Acl acl() {
        return acl;
    }

    public boolean sasl() {
        return security.sasl;
    }

    public String saslLoginContext() {
        return security.saslLoginContext;
    }

    public String saslServiceName() {
        return security.saslServiceName;
    }

    /**
     * The SASL DIGEST-MD5 user the engine logs in as through a JAAS login context of its own, when
     * one was given ({@link Builder#saslUser}); else SASL (if on) uses the JAAS login context {@link
     * #saslLoginContext()} of the JVM's JAAS configuration.
     */
    public Optional<String> saslUsername() {
        return Optional.ofNullable(security.saslUsername);
    }

    Optional<Secret> saslPassword() {
        return Optional.ofNullable(security.saslPassword);
    }

    /** The shared {@code tls} block, when TLS was configured with it ({@link Builder#tls(TlsSettings)}). */
    public Optional<TlsSettings> tlsSettings() {
        return Optional.ofNullable(security.tlsSettings);
    }

    public boolean tls() {
        return security.tls;
    }

    public Optional<Path> trustStore() {
        return Optional.ofNullable(security.trustStore);
    }

    public Optional<Path> keyStore() {
        return Optional.ofNullable(security.keyStore);
    }

    public boolean hostnameVerification() {
        return security.hostnameVerification;
    }

    /** The passwords and types of {@link #trustStore()} and {@link #keyStore()}, each possibly null. */
    ZooKeeperSecurity.StoreSecrets storeSecrets() {
        return security.storeSecrets();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ZooKeeperEngineConfig{");
        text.append(client != null ? "client=<given>" : "connectString=" + Redaction.userInfo(connectString));
        text.append(", namespace=").append(namespace);
        if (client == null) {
            text.append(", sessionTimeout=").append(Durations.format(sessionTimeout));
            text.append(", connectionTimeout=").append(Durations.format(connectionTimeout));
            text.append(", retry=").append(retryMaxRetries).append("x[").append(Durations.format(retryBaseSleep));
            text.append("..").append(Durations.format(retryMaxSleep)).append("]");
            security.describeTo(text);
        }
        text.append(", acl=")
                .append(acl.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        return text.append('}').toString();
    }

    /**
     * Builds a {@link ZooKeeperEngineConfig}. Each setter checks its value and that it was not set
     * before; {@link #build()} checks the values together. Not thread-safe.
     */
    public static final class Builder {
        private String connectString;
        private CuratorFramework client;
        private Duration sessionTimeout;
        private Duration connectionTimeout;
        private String namespace;
        private Duration retryBaseSleep;
        private Duration retryMaxSleep;
        private Integer retryMaxRetries;
        private Acl acl;
        private final ZooKeeperSecurity.Builder security = new ZooKeeperSecurity.Builder();

        private Builder() {}

        /** The ensemble to connect to, such as {@code zk1:2181,zk2:2181} (optionally with a chroot). */
        public Builder connectString(String connectString) {
            Objects.requireNonNull(connectString, "connectString");
            ZooKeeperConfigRules.once(this.connectString, "connect string");
            if (connectString.isBlank()) {
                throw new IllegalArgumentException("connect string must not be blank");
            }
            String problem = ConnectString.problem(connectString);
            if (problem != null) {
                throw new IllegalArgumentException(
                        "connect string was '" + Redaction.userInfo(connectString.trim()) + "' but " + problem);
            }
            this.connectString = connectString.trim();
            return this;
        }

        /**
         * An existing, started Curator client to use instead of opening one; the engine never closes
         * it. Its own namespace, if any, is kept: locks live under {@code <its namespace>/<namespace>}.
         */
        public Builder client(CuratorFramework client) {
            Objects.requireNonNull(client, "client");
            ZooKeeperConfigRules.once(this.client, "client");
            this.client = client;
            return this;
        }

        /** The session timeout to ask for; the server may clamp it to its min/max (default 30 s). */
        public Builder sessionTimeout(Duration timeout) {
            ZooKeeperConfigRules.once(this.sessionTimeout, "session timeout");
            Duration value = ZooKeeperConfigRules.millis(timeout, "session timeout");
            String problem = ZooKeeperConfigRules.sessionTimeoutProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(
                        "session timeout was '" + Durations.format(value) + "' but " + problem);
            }
            this.sessionTimeout = value;
            return this;
        }

        /** How long an operation waits for a connection (default 10 s). */
        public Builder connectionTimeout(Duration timeout) {
            ZooKeeperConfigRules.once(this.connectionTimeout, "connection timeout");
            this.connectionTimeout = ZooKeeperConfigRules.millis(timeout, "connection timeout");
            return this;
        }

        /** The node locks live under, such as {@code globallock} or {@code apps/billing} (default {@code globallock}). */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            ZooKeeperConfigRules.once(this.namespace, "namespace");
            ZooKeeperConfigRules.checkNamespace(namespace);
            this.namespace = namespace;
            return this;
        }

        /** Curator's exponential backoff between retries of an operation that lost its connection. */
        public Builder retry(Duration baseSleep, Duration maxSleep, int maxRetries) {
            ZooKeeperConfigRules.once(this.retryBaseSleep, "retry policy");
            Duration base = ZooKeeperConfigRules.millis(baseSleep, "retry base sleep");
            Duration max = ZooKeeperConfigRules.millis(maxSleep, "retry max sleep");
            String problem = ZooKeeperConfigRules.retryProblem(base, max);
            if (problem != null) {
                throw new IllegalArgumentException(
                        "retry max sleep was '" + Durations.format(max) + "' but " + problem);
            }
            if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
                throw new IllegalArgumentException(
                        "retry max retries must be between 0 and " + MAX_RETRIES_LIMIT + " but was " + maxRetries);
            }
            this.retryBaseSleep = base;
            this.retryMaxSleep = max;
            this.retryMaxRetries = maxRetries;
            return this;
        }

        /** Digest authentication ({@code addAuth digest user:password}). */
        public Builder digest(String username, Secret password) {
            security.digest(username, password);
            return this;
        }

        /** Who may touch the lock nodes (default {@link Acl#OPEN}). */
        public Builder acl(Acl acl) {
            Objects.requireNonNull(acl, "acl");
            ZooKeeperConfigRules.once(this.acl, "acl");
            this.acl = acl;
            return this;
        }

        /**
         * SASL (Kerberos or DIGEST-MD5) authentication through the JAAS login context of that name
         * (the JAAS file itself is the JVM's {@code java.security.auth.login.config}).
         *
         * @param loginContext the JAAS section, {@code Client} by default
         * @param serviceName the server principal's primary, {@code zookeeper} by default
         */
        public Builder sasl(String loginContext, String serviceName) {
            security.sasl(loginContext, serviceName);
            return this;
        }

        /**
         * SASL DIGEST-MD5 authentication as this user: the engine gives ZooKeeper a JAAS login context
         * of its own ({@code DigestLoginModule} with the user and password), so the application sets
         * no JAAS file; instead of {@link #sasl(String, String)}.
         *
         * @param serviceName the server principal's primary, {@code zookeeper} by default
         */
        public Builder saslUser(String username, Secret password, String serviceName) {
            security.saslUser(username, password, serviceName);
            return this;
        }

        /**
         * TLS as the shared {@code tls} block says ({@link TlsSettings#read}): trusted CAs as a PEM
         * file or a trust store, a client certificate as PEM files or a key store, host name
         * verification; instead of {@link #tls(Path, Secret, String)}. Disabled settings leave TLS off.
         */
        public Builder tls(TlsSettings settings) {
            security.tls(settings);
            return this;
        }

        /** TLS to the server (its secure client port), trusting the certificates in the trust store. */
        public Builder tls(Path trustStore, Secret trustStorePassword, String trustStoreType) {
            security.tls(trustStore, trustStorePassword, trustStoreType);
            return this;
        }

        /** A client certificate for TLS (mutual TLS, ZooKeeper's x509 authentication). */
        public Builder tlsKeyStore(Path keyStore, Secret keyStorePassword, String keyStoreType) {
            security.tlsKeyStore(keyStore, keyStorePassword, keyStoreType);
            return this;
        }

        /** Whether TLS checks the server's host name against its certificate (default true). */
        public Builder hostnameVerification(boolean verify) {
            security.hostnameVerification(verify);
            return this;
        }

        /**
         * @throws IllegalStateException when neither or both of a connect string and a client were
         *     given, when connection settings accompany a client, or when settings contradict
         */
        public ZooKeeperEngineConfig build() {
            if ((connectString == null) == (client == null)) {
                throw new IllegalStateException(
                        "give the zookeeper engine either a connect string or an existing CuratorFramework, exactly one");
            }
            if (client != null
                    && (sessionTimeout != null
                            || connectionTimeout != null
                            || retryBaseSleep != null
                            || security.anySet())) {
                throw new IllegalStateException("connection settings (timeouts, retry, authentication, TLS) belong"
                        + " to the CuratorFramework that was given; set them there");
            }
            String aclProblem = client == null ? ZooKeeperConfigRules.aclProblem(acl, security.authenticates()) : null;
            if (aclProblem != null) {
                throw new IllegalStateException("acl was 'creator-only' but " + aclProblem);
            }
            return new ZooKeeperEngineConfig(this, security.build());
        }
    }
}
