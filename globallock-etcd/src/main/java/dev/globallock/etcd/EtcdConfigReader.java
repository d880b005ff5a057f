package dev.globallock.etcd;

import dev.globallock.Durations;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.Redaction;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the {@code etcd:} section (see the reference configuration for every key and its default)
 * into an {@link EtcdEngineConfig}: each key to its builder call, every problem reported at once
 * with the key's path, never showing a secret. What is acceptable is {@link EtcdConfigRules}' to
 * say.
 */
final class EtcdConfigReader {
    private final ConfigSection section;
    private final EtcdEngineConfig.Builder builder = EtcdEngineConfig.builder();

    private EtcdConfigReader(ConfigSection section) {
        this.section = section;
    }

    /** Reads and validates the section; throws {@link dev.globallock.LockConfigException} listing every problem. */
    static EtcdEngineConfig read(ConfigSection section) {
        return new EtcdConfigReader(section).read();
    }

    private EtcdEngineConfig read() {
        List<String> endpoints = section.stringList("endpoints");
        List<URI> uris = endpoints(endpoints);
        credentials();
        boolean tlsConfigured = tls();
        // an endpoint may carry a password: the list is shown masked, whatever is wrong with it
        List<String> shown = new ArrayList<>();
        endpoints.forEach(endpoint -> shown.add(Redaction.userInfo(endpoint)));
        check("endpoints", String.join(", ", shown), EtcdConfigRules.schemesProblem(uris, tlsConfigured));
        String namespace = section.string("namespace", EtcdEngineConfig.DEFAULT_NAMESPACE);
        set("namespace", namespace, EtcdConfigRules.namespaceProblem(namespace), builder::namespace);
        builder.connectTimeout(section.positiveDuration("connect-timeout", EtcdEngineConfig.DEFAULT_CONNECT_TIMEOUT));
        builder.requestTimeout(section.positiveDuration("request-timeout", EtcdEngineConfig.DEFAULT_REQUEST_TIMEOUT));
        Duration keepaliveTime = section.positiveDuration("keepalive-time", EtcdEngineConfig.DEFAULT_KEEPALIVE_TIME);
        if (check(
                "keepalive-time",
                Durations.format(keepaliveTime),
                EtcdConfigRules.keepaliveTimeProblem(keepaliveTime))) {
            builder.keepaliveTime(keepaliveTime);
        }
        builder.keepaliveTimeout(
                section.positiveDuration("keepalive-timeout", EtcdEngineConfig.DEFAULT_KEEPALIVE_TIMEOUT));
        section.validate();
        return builder.build();
    }

    /** The endpoints that are fine, each wrong one reported. */
    private List<URI> endpoints(List<String> endpoints) {
        if (!section.has("endpoints")) {
            section.missing("endpoints", EtcdConfigRules.EXPECTED_ENDPOINTS);
        } else if (!section.hasProblems()) {
            check("endpoints", "[]", EtcdConfigRules.endpointsProblem(endpoints));
        }
        List<URI> uris = new ArrayList<>();
        for (String endpoint : endpoints) {
            if (check("endpoints", Redaction.userInfo(endpoint), EtcdConfigRules.endpointProblem(endpoint))) {
                uris.add(URI.create(endpoint.trim()));
            }
        }
        if (!uris.isEmpty()) {
            builder.endpoints(uris);
        }
        return uris;
    }

    private void credentials() {
        Optional<String> user = section.string("user");
        user.ifPresent(u -> set("user", u, EtcdConfigRules.userProblem(u), builder::user));
        section.secret("password")
                .ifPresentOrElse(
                        builder::password,
                        () -> user.ifPresent(
                                u -> section.missing("password", String.format(EtcdConfigRules.EXPECTED_PASSWORD, u))));
        if (user.isEmpty() && section.has("password")) {
            section.missing("user", EtcdConfigRules.EXPECTED_USER);
        }
    }

    /** The {@code tls:} block; whether TLS files were given. */
    private boolean tls() {
        ConfigSection tls = section.section("tls");
        Path ca = file(tls, "ca-file");
        Path cert = file(tls, "cert-file");
        Path key = file(tls, "key-file");
        if (ca != null) {
            builder.tlsCaFile(ca);
        }
        if (cert != null && key != null) {
            builder.tlsClientCertificate(cert, key);
        } else if (cert != null) {
            tls.missing("key-file", EtcdConfigRules.EXPECTED_KEY_FILE);
        } else if (key != null) {
            tls.missing("cert-file", EtcdConfigRules.EXPECTED_CERT_FILE);
        }
        tls.string("authority").ifPresent(builder::tlsAuthority);
        return ca != null || cert != null;
    }

    private static Path file(ConfigSection tls, String key) {
        Optional<String> value = tls.string(key);
        if (value.isEmpty()) {
            return null;
        }
        Path path = Path.of(value.get());
        String problem = EtcdConfigRules.fileProblem(path);
        if (problem != null) {
            tls.problem(key, value.get(), problem);
        }
        return path;
    }

    private <T> void set(String key, T value, String problem, Consumer<T> call) {
        if (check(key, value, problem)) {
            call.accept(value);
        }
    }

    /** Records the problem, if any; whether there was none. */
    private boolean check(String key, Object shown, String problem) {
        if (problem != null) {
            section.problem(key, shown, problem);
        }
        return problem == null;
    }
}
