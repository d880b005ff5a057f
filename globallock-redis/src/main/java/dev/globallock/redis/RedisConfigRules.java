/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The rules of the redis engine's configuration, each in one place: the builder ({@link
 * RedisEngineConfig.Builder}) and the reader of the {@code redis:} section ({@link
 * RedisConfigReader}) both ask here, and both say what is wrong as {@code <key> was '<value>' but
 * <reason>}. A rule returns null when the value is acceptable, else the reason.
 */
final class RedisConfigRules {
    static final int MAX_POOL_SIZE = 1024;
    static final int MAX_RENEW_BATCH_SIZE = 100_000;
    static final int MAX_WAIT_FOR_REPLICAS = 100;
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    /** What {@code master-name} is, for a sentinel configuration without one. */
    static final String EXPECTED_MASTER_NAME = "the name the sentinels monitor the master under, such as mymaster";

    /** TLS settings given with an application's client. */
    static final String TLS_WITH_CLIENT = "the application's client has its own TLS settings: set them on it";

    private RedisConfigRules() {}

    /** The node list of the mode: one server, 3 or more Redlock masters; TLS for all nodes or for none. */
    static String nodesProblem(List<URI> nodes, RedisMode mode) {
        if (nodes.isEmpty()) {
            return "it must name at least one node: " + expectedNodes(mode);
        }
        if (mode == RedisMode.SINGLE && nodes.size() != 1) {
            return "single mode takes exactly one node: set mode to cluster, sentinel or redlock for several";
        }
        if (mode == RedisMode.REDLOCK && nodes.size() < 3) {
            return "redlock needs at least 3 independent masters";
        }
        long tls = nodes.stream().filter(u -> u.getScheme().equals("rediss")).count();
        if (tls != 0 && tls != nodes.size()) {
            return "it mixes redis:// and rediss://: use TLS for all nodes or none";
        }
        return null;
    }

    /** What the nodes of the mode are, with an example. */
    static String expectedNodes(RedisMode mode) {
        switch (mode) {
            case SENTINEL:
                return "the sentinels, such as [redis://10.0.0.1:26379, redis://10.0.0.2:26379]";
            case CLUSTER:
                return "one or more seed nodes of the cluster, such as [redis://10.0.0.1:6379]";
            case REDLOCK:
                return "the independent masters (3 or more, best an odd number), such as "
                        + "[redis://10.0.0.1:6379, redis://10.0.0.2:6379, redis://10.0.0.3:6379]";
            default:
                return "the server, such as [redis://127.0.0.1:6379]";
        }
    }

    /**
     * Parses and checks one node URI: {@code redis://host:port} or {@code rediss://host:port}
     * (TLS), without credentials, path or query. The default port is 6379 (26379 for sentinels).
     *
     * @throws IllegalArgumentException with the reason, which never repeats credentials
     */
    static URI parseNode(String text, RedisMode mode) {
        Objects.requireNonNull(text, "node");
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "it is not a URI such as redis://127.0.0.1:6379 (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException(
                    "it must start with redis:// or rediss:// (TLS), such as redis://127.0.0.1:6379");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "it must not carry credentials: set redis.username and redis.password instead");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(hostOrPortProblem(uri.getRawAuthority()));
        }
        if (uri.getRawPath() != null
                && !uri.getRawPath().isEmpty()
                && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("it must not have a path: set the database index with redis.database");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("it must not have a query or fragment");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("its port '" + uri.getPort() + "' is not between 1 and 65535");
        }
        int port = uri.getPort() == -1 ? (mode == RedisMode.SENTINEL ? 26379 : 6379) : uri.getPort();
        try {
            return new URI(scheme, null, uri.getHost(), port, null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("it is not a valid node URI (" + e.getReason() + ")");
        }
    }

    /**
     * Why an authority that {@link URI} did not read as host and port is wrong: a port that is not a
     * number, a host name with characters host names cannot have, or no host at all. Never called
     * with credentials (those are refused first).
     */
    private static String hostOrPortProblem(String authority) {
        String example = ", expected such as redis://127.0.0.1:6379";
        if (authority == null || authority.isEmpty()) {
            return "it names no host" + example;
        }
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && authority.indexOf(']', colon) < 0) {
            String host = authority.substring(0, colon);
            String port = authority.substring(colon + 1);
            if (!port.isEmpty() && !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return "its port '" + port + "' is not a number" + example;
            }
            if (host.isEmpty()) {
                return "it names no host" + example;
            }
            return "its host '" + host + "' is not a valid host name" + example;
        }
        return "its host '" + authority + "' is not a valid host name" + example;
    }

    /** The master name, the sentinels' user and password: only sentinel mode has them. */
    static String sentinelOnlyProblem(RedisMode mode) {
        return mode == RedisMode.SENTINEL ? null : "it is only used in sentinel mode, not " + nameOf(mode);
    }

    static String masterNameProblem(String name) {
        return name.isBlank() ? "it must not be blank" : null;
    }

    /** An ACL user name (of the servers or of the sentinels). */
    static String usernameProblem(String name) {
        return name.isBlank() ? "it must not be blank; leave it out for the default user" : null;
    }

    /**
     * The database index at load time: it is not negative, and a cluster has only database 0. How
     * many databases a server has is its own setting ({@code databases}, 16 by default), so a larger
     * index is checked by the server on the first connection (see {@link
     * #databaseRefused}).
     */
    static String databaseProblem(int database, RedisMode mode) {
        if (database < 0) {
            return "it must not be negative: Redis numbers its databases from 0";
        }
        if (mode == RedisMode.CLUSTER && database != 0) {
            return "a Redis Cluster has only database 0";
        }
        return null;
    }

    /** The problem to report when the server refused the configured database index (its SELECT failed). */
    static String databaseRefused(int database, String endpoint, String serverReply) {
        return "redis.database was '" + database + "' but the server at " + endpoint + " refused it (" + serverReply
                + "): it has fewer databases (its 'databases' setting, 16 by default)";
    }

    /** A connect, command, replica or failover timeout. */
    static String timeoutProblem(Duration timeout) {
        return timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0 ? "it must be between 1ms and 10m" : null;
    }

    /** Connections per node and engine I/O threads. */
    static String poolSizeProblem(int size) {
        return between(size, 1, MAX_POOL_SIZE);
    }

    /** The most locks one renewal script call extends. */
    static String renewBatchSizeProblem(int size) {
        return between(size, 1, MAX_RENEW_BATCH_SIZE);
    }

    /** Replicas that acknowledge each acquisition; Redlock's masters have none of their own to wait for. */
    static String waitForReplicasProblem(int replicas, RedisMode mode) {
        String range = between(replicas, 0, MAX_WAIT_FOR_REPLICAS);
        if (range != null) {
            return range;
        }
        return replicas > 0 && mode == RedisMode.REDLOCK
                ? "it is not used in redlock mode: its masters are independent"
                : null;
    }

    /**
     * What is wrong with a value given to the builder: {@code <name> was '<value>' but <problem>}, as
     * the reader's section says it of a key.
     */
    static String said(String name, Object value, String problem) {
        return name + " was '" + value + "' but " + problem;
    }

    static String nameOf(RedisMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String between(int value, int min, int max) {
        return value < min || value > max ? "it must be between " + min + " and " + max : null;
    }
}
