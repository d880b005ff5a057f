/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Durations;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.Redaction;
import dev.globallock.spi.support.TlsSettings;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of the {@code etcd} engine: endpoints, credentials, TLS, the key namespace and
 * timeouts. Immutable and thread-safe; build it with {@link #builder()} or read it from the {@code
 * etcd:} section of a configuration ({@link EtcdConfigReader}); what each value may be is {@link
 * EtcdConfigRules}' to say. {@link #toString()} never shows the password.
 *
 * <pre>{@code
 * EtcdEngineConfig config = EtcdEngineConfig.builder()
 *         .endpoints("http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379")
 *         .user("locks").password(Secret.of(System.getenv("ETCD_PASSWORD")))
 *         .build();
 * GlobalLockManager locks = GlobalLockManager.builder().engine(EtcdLockEngine.open(config)).build();
 * }</pre>
 */
public final class EtcdEngineConfig {
    /** The default key namespace: every lock key starts with it. */
    public static final String DEFAULT_NAMESPACE = EtcdConfigRules.DEFAULT_NAMESPACE;

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

    private final List<URI> endpoints;
    private final String user;
    private final Secret password;
    private final TlsSettings tls;
    private final String tlsAuthority;
    private final String namespace;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration keepaliveTime;
    private final Duration keepaliveTimeout;
    private final Client client;

    private EtcdEngineConfig(Builder b, TlsSettings tls) {
        this.endpoints = List.copyOf(b.endpoints);
        this.user = b.user;
        this.password = b.password;
        this.tls = tls;
        this.tlsAuthority = b.tlsAuthority;
        this.namespace = b.namespace == null ? DEFAULT_NAMESPACE : b.namespace;
        this.connectTimeout = b.connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : b.connectTimeout;
        this.requestTimeout = b.requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : b.requestTimeout;
        this.keepaliveTime = b.keepaliveTime == null ? DEFAULT_KEEPALIVE_TIME : b.keepaliveTime;
        this.keepaliveTimeout = b.keepaliveTimeout == null ? DEFAULT_KEEPALIVE_TIMEOUT : b.keepaliveTimeout;
        this.client = b.client;
    }

    /** A builder; every value may be set once. */
    public static Builder builder() {
        return new Builder();
    }

    /** The etcd endpoints (may be empty when a client is supplied). */
    public List<URI> endpoints() {
        return endpoints;
    }

    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    public Optional<Secret> password() {
        return Optional.ofNullable(password);
    }

    public Optional<Path> tlsCaFile() {
        return tls.caFile();
    }

    public Optional<Path> tlsCertFile() {
        return tls.certFile();
    }

    public Optional<Path> tlsKeyFile() {
        return tls.keyFile();
    }

    /**
     * The TLS settings (the {@code etcd.tls} block): disabled with http:// endpoints; with https://
     * endpoints the configured CAs (or the JVM's default ones), the client certificate if any, and
     * whether host names are verified.
     */
    public TlsSettings tlsSettings() {
        return tls;
    }

    public Optional<String> tlsAuthority() {
        return Optional.ofNullable(tlsAuthority);
    }

    /** Whether the engine connects with TLS (https:// endpoints). */
    public boolean tls() {
        return tls.enabled();
    }

    /** The prefix of every lock key, {@value #DEFAULT_NAMESPACE} by default. */
    public String namespace() {
        return namespace;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The bound on one request to etcd (a transaction, a read, a lease call). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration keepaliveTime() {
        return keepaliveTime;
    }

    public Duration keepaliveTimeout() {
        return keepaliveTimeout;
    }

    /** The application's own client, which the engine uses but never closes. */
    public Optional<Client> client() {
        return Optional.ofNullable(client);
    }

    /** The endpoints as shown in messages: never credentials. */
    String describeEndpoints() {
        if (endpoints.isEmpty()) {
            return "etcd (client supplied by the application)";
        }
        return shown(endpoints);
    }

    /** Endpoints as {@code scheme://host:port}, comma-separated: never credentials. */
    private static String shown(List<URI> endpoints) {
        List<String> shown = new ArrayList<>();
        for (URI uri : endpoints) {
            shown.add(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost() + ":" + uri.getPort());
        }
        return String.join(",", shown);
    }

    @Override
    public String toString() {
        return "EtcdEngineConfig{endpoints=" + describeEndpoints()
                + (user != null ? ", user=" + user + ", password=******" : "")
                + (tls.enabled() ? ", tls=" + tls : "")
                + ", namespace='" + namespace + "', connectTimeout=" + Durations.format(connectTimeout)
                + ", requestTimeout=" + Durations.format(requestTimeout)
                + (client != null ? ", client supplied" : "") + "}";
    }

    /**
     * Builds an {@link EtcdEngineConfig}. Not thread-safe. Each value may be set once; {@link
     * #build()} checks the combination.
     */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private boolean endpointsSet;
        private String user;
        private Secret password;
        private Path tlsCaFile;
        private Path tlsCertFile;
        private Path tlsKeyFile;
        private TlsSettings tls;
        private String tlsAuthority;
        private String namespace;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Duration keepaliveTime;
        private Duration keepaliveTimeout;
        private Client client;

        private Builder() {}

        /** The etcd endpoints, such as {@code http://127.0.0.1:2379}. */
        public Builder endpoints(String... endpoints) {
            Objects.requireNonNull(endpoints, "endpoints");
            List<URI> uris = new ArrayList<>();
            for (String endpoint : endpoints) {
                Objects.requireNonNull(endpoint, "endpoint");
                check("etcd endpoint", Redaction.userInfo(endpoint), EtcdConfigRules.endpointProblem(endpoint));
                uris.add(URI.create(endpoint.trim()));
            }
            return endpoints(uris);
        }

        /** The etcd endpoints. */
        public Builder endpoints(List<URI> endpoints) {
            Objects.requireNonNull(endpoints, "endpoints");
            requireUnset(endpointsSet, "endpoints");
            check("etcd endpoints", "[]", EtcdConfigRules.endpointsProblem(endpoints));
            for (URI uri : endpoints) {
                String text = Objects.requireNonNull(uri, "endpoint").toString();
                check("etcd endpoint", Redaction.userInfo(text), EtcdConfigRules.endpointProblem(text));
            }
            this.endpoints.addAll(endpoints);
            this.endpointsSet = true;
            return this;
        }

        /** The etcd user, when etcd has authentication enabled. */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user");
            requireUnset(this.user != null, "user");
            check("etcd user", user, EtcdConfigRules.userProblem(user));
            this.user = user;
            return this;
        }

        /** The etcd user's password. */
        public Builder password(Secret password) {
            Objects.requireNonNull(password, "password");
            requireUnset(this.password != null, "password");
            this.password = password;
            return this;
        }

        /**
         * The TLS settings, as {@link TlsSettings#read} made them (the shared {@code tls} block:
         * PEM files or PKCS12/JKS stores, host name verification). Instead of {@link #tlsCaFile} and
         * {@link #tlsClientCertificate}.
         */
        public Builder tls(TlsSettings tls) {
            Objects.requireNonNull(tls, "tls");
            requireUnset(this.tls != null, "tls");
            this.tls = tls;
            return this;
        }

        /** The CA certificate (PEM) that signed the etcd servers' certificates. */
        public Builder tlsCaFile(Path caFile) {
            Objects.requireNonNull(caFile, "caFile");
            requireUnset(tlsCaFile != null, "tlsCaFile");
            this.tlsCaFile = caFile;
            return this;
        }

        /** A client certificate (PEM) and its private key (PKCS#8 PEM), for etcd's client-cert auth. */
        public Builder tlsClientCertificate(Path certFile, Path keyFile) {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
            requireUnset(tlsCertFile != null, "tlsClientCertificate");
            this.tlsCertFile = certFile;
            this.tlsKeyFile = keyFile;
            return this;
        }

        /** The name to check the servers' certificates against, when it differs from the endpoint host. */
        public Builder tlsAuthority(String authority) {
            Objects.requireNonNull(authority, "authority");
            requireUnset(tlsAuthority != null, "tlsAuthority");
            this.tlsAuthority = authority;
            return this;
        }

        /** The prefix of every lock key; {@value #DEFAULT_NAMESPACE} by default. */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            requireUnset(this.namespace != null, "namespace");
            check("etcd namespace", namespace, EtcdConfigRules.namespaceProblem(namespace));
            this.namespace = namespace;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            requireUnset(connectTimeout != null, "connectTimeout");
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** The bound on one request to etcd; 5 s by default. */
        public Builder requestTimeout(Duration timeout) {
            requireUnset(requestTimeout != null, "requestTimeout");
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** How often gRPC pings an idle connection (at least 5 s, etcd's default minimum). */
        public Builder keepaliveTime(Duration time) {
            requireUnset(keepaliveTime != null, "keepaliveTime");
            Objects.requireNonNull(time, "keepaliveTime");
            check("keepaliveTime", Durations.format(time), EtcdConfigRules.keepaliveTimeProblem(time));
            this.keepaliveTime = time;
            return this;
        }

        /** How long a ping may go unanswered before the connection counts as dead. */
        public Builder keepaliveTimeout(Duration timeout) {
            requireUnset(keepaliveTimeout != null, "keepaliveTimeout");
            this.keepaliveTimeout = positive(timeout, "keepaliveTimeout");
            return this;
        }

        /**
         * A client the application built and owns: the engine uses it and never closes it. Its own
         * settings (endpoints, auth, TLS, retries) apply; give it a bounded retry policy, because
         * the engine can only bound its calls with its own timers then.
         */
        public Builder client(Client client) {
            Objects.requireNonNull(client, "client");
            requireUnset(this.client != null, "client");
            this.client = client;
            return this;
        }

        /**
         * @throws IllegalStateException when neither endpoints nor a client were given, when a client
         *     comes with credentials or TLS settings (they belong to the client), or when only one of
         *     user and password was given
         */
        public EtcdEngineConfig build() {
            if (client == null && !endpointsSet) {
                throw new IllegalStateException("give the etcd engine its endpoints or a client");
            }
            boolean tlsGiven = tls != null || tlsCaFile != null || tlsCertFile != null;
            if (tls != null && (tlsCaFile != null || tlsCertFile != null)) {
                throw new IllegalStateException(
                        "give the TLS settings once: as TlsSettings or as tlsCaFile/tlsClientCertificate");
            }
            if (client != null && (user != null || password != null || tlsGiven)) {
                throw new IllegalStateException(
                        "credentials and TLS belong to the supplied etcd client; do not set them on the engine too");
            }
            if ((user == null) != (password == null)) {
                throw new IllegalStateException("give the etcd user and password together: "
                        + (user == null
                                ? EtcdConfigRules.EXPECTED_USER
                                : EtcdConfigRules.EXPECTED_PASSWORD.formatted(user)));
            }
            TlsSettings settings = tlsSettings();
            String schemes = EtcdConfigRules.schemesProblem(endpoints, settings.enabled());
            if (schemes == null && !settings.enabled() && tls != null) {
                // TlsSettings.read says so for the etcd: section; here TlsSettings.disabled() was given
                schemes = endpoints.stream().anyMatch(uri -> uri.getScheme().equalsIgnoreCase("https"))
                        ? "they are https:// while the TLS settings given are disabled"
                        : null;
            }
            if (schemes != null) {
                throw new IllegalStateException("etcd endpoints was '" + shown(endpoints) + "' but " + schemes);
            }
            return new EtcdEngineConfig(this, settings);
        }

        /**
         * The settings given, or read from the PEM files given (problems as a {@link
         * dev.globallock.LockConfigException}), or for https:// endpoints the JVM's default CAs.
         */
        private TlsSettings tlsSettings() {
            if (tls != null) {
                return tls;
            }
            boolean https = endpoints.stream().anyMatch(uri -> uri.getScheme().equalsIgnoreCase("https"));
            if (!https && tlsCaFile == null && tlsCertFile == null) {
                return TlsSettings.disabled();
            }
            Map<String, Object> block = new LinkedHashMap<>();
            if (tlsCaFile != null) {
                block.put("ca-file", tlsCaFile.toString());
            }
            if (tlsCertFile != null) {
                block.put("cert-file", tlsCertFile.toString());
                block.put("key-file", tlsKeyFile.toString());
            }
            ConfigSection section = ConfigSection.of("etcd.tls", block);
            TlsSettings read = TlsSettings.read(section, https);
            section.validate();
            return read;
        }

        private static void requireUnset(boolean set, String what) {
            if (set) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            check(what, Durations.format(value), EtcdConfigRules.positiveProblem(value));
            return value;
        }

        /** Throws {@code <name> was '<value>' but <reason>} when the rule found a problem. */
        private static void check(String name, String shown, String problem) {
            if (problem != null) {
                throw new IllegalArgumentException(name + " was '" + shown + "' but " + problem);
            }
        }
    }
}
