/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Durations;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.Redaction;
import dev.globallock.spi.support.SecretFiles;
import dev.globallock.spi.support.TlsSettings;
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
        boolean https = uris.stream().anyMatch(uri -> uri.getScheme().equalsIgnoreCase("https"));
        boolean tlsConfigured = tls(https);
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

    /** {@code user} (or {@code username}) with {@code password} or {@code password-file}. */
    private void credentials() {
        Optional<String> user = section.string("user");
        Optional<String> username = section.string("username");
        if (user.isPresent() && username.isPresent()) {
            section.problem("username", username.get(), EtcdConfigRules.USER_TWICE);
        }
        String key = user.isPresent() ? "user" : "username";
        Optional<String> name = user.or(() -> username);
        name.ifPresent(u -> set(key, u, EtcdConfigRules.userProblem(u), builder::user));
        boolean passwordGiven = section.has("password") || section.has("password-file");
        Optional<Secret> password = SecretFiles.secret(section, "password");
        password.ifPresent(builder::password);
        if (name.isPresent() && !passwordGiven) {
            section.missing("password", String.format(EtcdConfigRules.EXPECTED_PASSWORD, name.get()));
        }
        if (name.isEmpty() && passwordGiven) {
            section.missing("user", EtcdConfigRules.EXPECTED_USER);
        }
    }

    /** The {@code tls:} block, loaded now (files, stores, passwords); whether TLS is on. */
    private boolean tls(boolean https) {
        ConfigSection tls = section.section("tls");
        TlsSettings settings = TlsSettings.read(tls, https);
        builder.tls(settings);
        tls.string("authority").ifPresent(builder::tlsAuthority);
        // TlsSettings does not load a half pair (cert-file without key-file or the reverse): the
        // file given is still checked, so that every mistake shows at once
        if (tls.has("cert-file") != tls.has("key-file")) {
            String given = tls.has("cert-file") ? "cert-file" : "key-file";
            String file = tls.string(given).orElseThrow();
            check(tls, given, file, EtcdConfigRules.fileProblem(Path.of(file)));
        }
        return settings.enabled();
    }

    private <T> void set(String key, T value, String problem, Consumer<T> call) {
        if (check(key, value, problem)) {
            call.accept(value);
        }
    }

    /** Records the problem, if any; whether there was none. */
    private boolean check(String key, Object shown, String problem) {
        return check(section, key, shown, problem);
    }

    private static boolean check(ConfigSection section, String key, Object shown, String problem) {
        if (problem != null) {
            section.problem(key, shown, problem);
        }
        return problem == null;
    }
}
