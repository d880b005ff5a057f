/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The rules of the etcd engine's configuration, each in one place: the builder of {@code
 * EtcdEngineConfig} and the reader of the {@code etcd:} section ({@code EtcdConfigReader}) both ask
 * here. A rule returns null when the value is acceptable, else the reason as {@code it
 * ...}, which never repeats the value (an endpoint may carry credentials).
 */
final class EtcdConfigRules {
    /** The key namespace when none is given (published as {@code EtcdEngineConfig.DEFAULT_NAMESPACE}). */
    static final String DEFAULT_NAMESPACE = "/globallock/";

    /** etcd closes connections that ping more often (its {@code --grpc-keepalive-min-time}). */
    static final Duration MIN_KEEPALIVE_TIME = Duration.ofSeconds(5);

    static final String EXPECTED_ENDPOINTS = "a list of etcd URLs such as [\"http://127.0.0.1:2379\"]";
    static final String EXPECTED_PASSWORD = "the password of etcd user '%s'";
    static final String EXPECTED_USER = "the etcd user the password belongs to";
    static final String USER_TWICE = "user is set too: give the user once (username is another name for user)";

    private EtcdConfigRules() {}

    /** The endpoint list as a whole: not empty. */
    static String endpointsProblem(List<?> endpoints) {
        return endpoints.isEmpty() ? "it must list at least one etcd URL such as http://127.0.0.1:2379" : null;
    }

    /** One scheme for all endpoints, and https:// for all when TLS files are configured. */
    static String schemesProblem(List<URI> endpoints, boolean tlsConfigured) {
        boolean https = false;
        boolean http = false;
        for (URI uri : endpoints) {
            https |= uri.getScheme().equalsIgnoreCase("https");
            http |= uri.getScheme().equalsIgnoreCase("http");
        }
        if (http && https) {
            return "it mixes http:// and https://; use one scheme for all";
        }
        if (http && tlsConfigured) {
            return "tls is configured, so every endpoint must be an https:// URL";
        }
        return null;
    }

    /** Why an endpoint is unusable: scheme, credentials, host, port, path. */
    static String endpointProblem(String endpoint) {
        String text = endpoint == null ? "" : endpoint.trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return "it is not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "it must be an http:// or https:// URL such as http://127.0.0.1:2379";
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || authority.contains("@")) {
            return "it must not carry credentials: set etcd.user and etcd.password instead";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return authorityProblem(authority);
        }
        if (uri.getPort() == -1) {
            return "it has no port; etcd clients usually connect to 2379, as in http://" + uri.getHost() + ":2379";
        }
        if (uri.getPort() < 1 || uri.getPort() > 65535) {
            return "its port " + uri.getPort() + " is not between 1 and 65535";
        }
        if (uri.getRawPath() != null
                && !uri.getRawPath().isEmpty()
                && !uri.getRawPath().equals("/")) {
            return "it must not have a path; expected scheme://host:port";
        }
        return null;
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

    static String userProblem(String user) {
        return user.isBlank() ? "it must not be blank; leave it out when etcd has no auth" : null;
    }

    static String namespaceProblem(String namespace) {
        return namespace.isEmpty()
                ? "it must not be empty: lock keys need a prefix of their own, such as " + DEFAULT_NAMESPACE
                : null;
    }

    static String positiveProblem(Duration value) {
        return value.isNegative() || value.isZero() ? "it must be positive" : null;
    }

    static String keepaliveTimeProblem(Duration value) {
        String problem = positiveProblem(value);
        if (problem == null && value.compareTo(MIN_KEEPALIVE_TIME) < 0) {
            problem = "it must be at least " + Durations.format(MIN_KEEPALIVE_TIME)
                    + ": etcd closes connections that ping more often (its --grpc-keepalive-min-time)";
        }
        return problem;
    }

    /**
     * A TLS file of a half pair (cert-file without key-file or the reverse), which the shared {@code
     * TlsSettings} does not load: it must still be readable, so that every mistake shows at once.
     */
    static String fileProblem(Path path) {
        return Files.isReadable(path) ? null : "it must be a readable file";
    }
}
