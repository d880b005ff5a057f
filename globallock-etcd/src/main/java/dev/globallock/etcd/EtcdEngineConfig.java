package dev.globallock.etcd;

import dev.globallock.Durations;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.Redaction;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of the {@code etcd} engine: endpoints, credentials, TLS, the key namespace and
 * timeouts. Immutable and thread-safe; build it with {@link #builder()} or read it from the {@code
 * etcd:} section of a configuration. {@link #toString()} never shows the password.
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
    public static final String DEFAULT_NAMESPACE = "/globallock/";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

    private final List<URI> endpoints;
    private final String user;
    private final Secret password;
    private final Path tlsCaFile;
    private final Path tlsCertFile;
    private final Path tlsKeyFile;
    private final String tlsAuthority;
    private final String namespace;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration keepaliveTime;
    private final Duration keepaliveTimeout;
    private final Client client;

    private EtcdEngineConfig(Builder b) {
        this.endpoints = List.copyOf(b.endpoints);
        this.user = b.user;
        this.password = b.password;
        this.tlsCaFile = b.tlsCaFile;
        this.tlsCertFile = b.tlsCertFile;
        this.tlsKeyFile = b.tlsKeyFile;
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

    /**
     * Reads the {@code etcd:} section (every key the engine supports), recording problems in the
     * section instead of throwing; the caller then calls {@link ConfigSection#validate()}.
     */
    static EtcdEngineConfig read(ConfigSection section) {
        Builder builder = new Builder();
        List<String> endpoints = section.stringList("endpoints");
        if (!section.has("endpoints")) {
            section.missing("endpoints", "a list of etcd URLs such as [\"http://127.0.0.1:2379\"]");
        } else if (endpoints.isEmpty() && !section.hasProblems()) {
            section.problem("endpoints", "[]", "it must list at least one etcd URL such as http://127.0.0.1:2379");
        }
        boolean https = false;
        boolean http = false;
        List<URI> uris = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String endpoint : endpoints) {
            // an endpoint may carry a password: it is shown masked, whatever is wrong with it
            shown.add(Redaction.userInfo(endpoint));
            Optional<String> reason = endpointProblem(endpoint);
            if (reason.isPresent()) {
                section.problem("endpoints", Redaction.userInfo(endpoint), reason.get());
                continue;
            }
            URI uri = URI.create(endpoint.trim());
            https |= uri.getScheme().equalsIgnoreCase("https");
            http |= uri.getScheme().equalsIgnoreCase("http");
            uris.add(uri);
        }
        if (http && https) {
            section.problem(
                    "endpoints", String.join(", ", shown), "it mixes http:// and https://; use one scheme for all");
        }
        builder.endpoints.addAll(uris);

        Optional<String> user = section.string("user");
        Optional<Secret> password = section.secret("password");
        if (user.isPresent() && user.get().isBlank()) {
            section.problem("user", user.get(), "it must not be blank; leave it out when etcd has no auth");
        }
        if (user.isPresent() != password.isPresent()) {
            if (user.isPresent()) {
                section.missing("password", "the password of etcd user '" + user.get() + "'");
            } else {
                section.missing("user", "the etcd user the password belongs to");
            }
        }
        builder.user = user.orElse(null);
        builder.password = password.orElse(null);

        ConfigSection tls = section.section("tls");
        builder.tlsCaFile = file(tls, "ca-file");
        builder.tlsCertFile = file(tls, "cert-file");
        builder.tlsKeyFile = file(tls, "key-file");
        builder.tlsAuthority = tls.string("authority").orElse(null);
        if ((builder.tlsCertFile == null) != (builder.tlsKeyFile == null)) {
            if (builder.tlsCertFile == null) {
                tls.missing("cert-file", "the client certificate (PEM) that goes with tls.key-file");
            } else {
                tls.missing("key-file", "the client private key (PKCS#8 PEM) that goes with tls.cert-file");
            }
        }
        boolean tlsConfigured = builder.tlsCaFile != null || builder.tlsCertFile != null;
        if (tlsConfigured && http) {
            section.problem(
                    "endpoints",
                    String.join(", ", shown),
                    "tls is configured, so every endpoint must be an https:// URL");
        }

        String namespace = section.string("namespace", DEFAULT_NAMESPACE);
        if (namespace.isEmpty()) {
            section.problem(
                    "namespace",
                    namespace,
                    "it must not be empty: lock keys need a prefix of their own, such as " + DEFAULT_NAMESPACE);
        }
        builder.namespace = namespace;
        builder.connectTimeout = section.positiveDuration("connect-timeout", DEFAULT_CONNECT_TIMEOUT);
        builder.requestTimeout = section.positiveDuration("request-timeout", DEFAULT_REQUEST_TIMEOUT);
        builder.keepaliveTime = section.positiveDuration("keepalive-time", DEFAULT_KEEPALIVE_TIME);
        builder.keepaliveTimeout = section.positiveDuration("keepalive-timeout", DEFAULT_KEEPALIVE_TIMEOUT);
        if (builder.keepaliveTime.compareTo(Duration.ofSeconds(5)) < 0) {
            section.problem(
                    "keepalive-time",
                    Durations.format(builder.keepaliveTime),
                    "it must be at least 5s: etcd closes connections that ping more often"
                            + " (its --grpc-keepalive-min-time)");
        }
        return new EtcdEngineConfig(builder);
    }

    private static Path file(ConfigSection tls, String key) {
        Optional<String> value = tls.string(key);
        if (value.isEmpty()) {
            return null;
        }
        Path path = Path.of(value.get());
        if (!Files.isReadable(path)) {
            tls.problem(key, value.get(), "it must be a readable file");
        }
        return path;
    }

    /**
     * Why an endpoint is unusable, as {@code it ...}, or empty when it is fine. Never repeats the
     * endpoint (it may carry credentials).
     */
    private static Optional<String> endpointProblem(String endpoint) {
        String text = endpoint == null ? "" : endpoint.trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.of("it is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("it must be an http:// or https:// URL such as http://127.0.0.1:2379");
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || authority.contains("@")) {
            return Optional.of("it must not carry credentials: set etcd.user and etcd.password instead");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of(authorityProblem(authority));
        }
        if (uri.getPort() == -1) {
            return Optional.of(
                    "it has no port; etcd clients usually connect to 2379, as in http://" + uri.getHost() + ":2379");
        }
        if (uri.getPort() < 1 || uri.getPort() > 65535) {
            return Optional.of("its port " + uri.getPort() + " is not between 1 and 65535");
        }
        if (uri.getRawPath() != null
                && !uri.getRawPath().isEmpty()
                && !uri.getRawPath().equals("/")) {
            return Optional.of("it must not have a path; expected scheme://host:port");
        }
        return Optional.empty();
    }

    /**
     * Why Java found no host in an authority ({@code host:port}): none given, a port that is not a
     * number (then Java sees no host at all), or a host name with characters a host name cannot have.
     */
    private static String authorityProblem(String authority) {
        int colon = authority.lastIndexOf(':');
        String host = colon >= 0 && !authority.endsWith("]") ? authority.substring(0, colon) : authority;
        String port = colon >= 0 && !authority.endsWith("]") ? authority.substring(colon + 1) : "";
        if (host.isEmpty()) {
            return "it has no host; expected a URL such as http://127.0.0.1:2379";
        }
        if (!port.isEmpty() && !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "its port '" + port + "' is not a number; expected a URL such as http://" + host + ":2379";
        }
        return "its host '" + host + "' is not a valid host name; expected a URL such as http://127.0.0.1:2379";
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
        return Optional.ofNullable(tlsCaFile);
    }

    public Optional<Path> tlsCertFile() {
        return Optional.ofNullable(tlsCertFile);
    }

    public Optional<Path> tlsKeyFile() {
        return Optional.ofNullable(tlsKeyFile);
    }

    public Optional<String> tlsAuthority() {
        return Optional.ofNullable(tlsAuthority);
    }

    /** Whether the engine connects with TLS (https:// endpoints). */
    public boolean tls() {
        return !endpoints.isEmpty() && endpoints.get(0).getScheme().equalsIgnoreCase("https");
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
                + (tlsCaFile != null ? ", tls.ca-file=" + tlsCaFile : "")
                + (tlsCertFile != null ? ", tls.cert-file=" + tlsCertFile : "")
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
                Optional<String> problem = endpointProblem(endpoint);
                if (problem.isPresent()) {
                    throw new IllegalArgumentException(
                            "etcd endpoint was '" + Redaction.userInfo(endpoint) + "' but " + problem.get());
                }
                uris.add(URI.create(endpoint.trim()));
            }
            return endpoints(uris);
        }

        /** The etcd endpoints. */
        public Builder endpoints(List<URI> endpoints) {
            Objects.requireNonNull(endpoints, "endpoints");
            requireUnset(endpointsSet, "endpoints");
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("etcd endpoints must not be empty");
            }
            for (URI uri : endpoints) {
                Optional<String> problem =
                        endpointProblem(Objects.requireNonNull(uri, "endpoint").toString());
                if (problem.isPresent()) {
                    throw new IllegalArgumentException(
                            "etcd endpoint was '" + Redaction.userInfo(uri.toString()) + "' but " + problem.get());
                }
            }
            this.endpoints.addAll(endpoints);
            this.endpointsSet = true;
            return this;
        }

        /** The etcd user, when etcd has authentication enabled. */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user");
            requireUnset(this.user != null, "user");
            if (user.isBlank()) {
                throw new IllegalArgumentException("etcd user must not be blank");
            }
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
            if (namespace.isEmpty()) {
                throw new IllegalArgumentException("etcd namespace must not be empty");
            }
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
            Duration value = positive(time, "keepaliveTime");
            if (value.compareTo(Duration.ofSeconds(5)) < 0) {
                throw new IllegalArgumentException(
                        "keepaliveTime must be at least 5s (etcd's --grpc-keepalive-min-time)" + " but was "
                                + Durations.format(value));
            }
            this.keepaliveTime = value;
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
            if (client != null && (user != null || password != null || tlsCaFile != null || tlsCertFile != null)) {
                throw new IllegalStateException(
                        "credentials and TLS belong to the supplied etcd client; do not set them on the engine too");
            }
            if ((user == null) != (password == null)) {
                throw new IllegalStateException("give the etcd user and password together");
            }
            boolean https = false;
            boolean http = false;
            for (URI uri : endpoints) {
                https |= uri.getScheme().equalsIgnoreCase("https");
                http |= uri.getScheme().equalsIgnoreCase("http");
            }
            if (http && https) {
                throw new IllegalStateException("etcd endpoints mix http:// and https://: " + endpoints);
            }
            if (http && (tlsCaFile != null || tlsCertFile != null)) {
                throw new IllegalStateException("TLS is configured, so every etcd endpoint must be https://");
            }
            return new EtcdEngineConfig(this);
        }

        private static void requireUnset(boolean set, String what) {
            if (set) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive but was " + value);
            }
            return value;
        }
    }
}
