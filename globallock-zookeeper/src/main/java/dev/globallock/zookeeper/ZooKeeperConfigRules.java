/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Durations;
import java.time.Duration;
import java.util.Objects;
import org.apache.zookeeper.common.PathUtils;

/**
 * Every rule of the {@code zookeeper} engine's configuration, once: each says why a value is
 * unusable, as {@code it ...}, or null when it is fine. The builder ({@link
 * ZooKeeperEngineConfig.Builder}) throws with the reason, the reader ({@link ZooKeeperConfigReader})
 * records it as {@code <key> was '<value>' but <reason>}.
 */
final class ZooKeeperConfigRules {
    private ZooKeeperConfigRules() {}

    /** Why a retry policy is unusable, as {@code it ...} (about the max sleep), or null when it is fine. */
    static String retryProblem(Duration baseSleep, Duration maxSleep) {
        return maxSleep.compareTo(baseSleep) < 0
                ? "it must not be shorter than the base sleep " + Durations.format(baseSleep)
                : null;
    }

    /** Why a digest user name is unusable, as {@code it ...}, or null when it is fine. */
    static String usernameProblem(String username) {
        return username.isBlank() || username.contains(":") ? "it must be non-blank and contain no ':'" : null;
    }

    /** Why the acl cannot be used, as {@code it ...}, or null when it is fine. */
    static String aclProblem(ZooKeeperEngineConfig.Acl acl, boolean authenticated) {
        return acl == ZooKeeperEngineConfig.Acl.CREATOR_ONLY && !authenticated
                ? "it needs an authenticated identity: configure digest or SASL authentication"
                : null;
    }

    /** Why a session timeout is unusable, as {@code it ...}, or null when it is fine. */
    static String sessionTimeoutProblem(Duration timeout) {
        if (timeout.compareTo(ZooKeeperEngineConfig.MIN_SESSION_TIMEOUT) < 0) {
            return "it must be at least " + Durations.format(ZooKeeperEngineConfig.MIN_SESSION_TIMEOUT)
                    + ": ZooKeeper servers grant at"
                    + " least twice their tickTime (4s with the default tickTime of 2s), and until the"
                    + " server answered, the client gives each connection attempt session-timeout / number of"
                    + " servers, so it could not even connect";
        }
        return null;
    }

    /** Why a namespace is unusable, as {@code it ...}, or null when it is fine. */
    static String namespaceProblem(String namespace) {
        if (namespace.isEmpty() || namespace.startsWith("/") || namespace.endsWith("/")) {
            return "it must be a relative ZooKeeper path such as 'globallock' (no leading or trailing '/')";
        }
        try {
            PathUtils.validatePath("/" + namespace);
        } catch (IllegalArgumentException e) {
            return "it is not a valid ZooKeeper path: " + e.getMessage();
        }
        if (namespace.equals("zookeeper") || namespace.startsWith("zookeeper/")) {
            return "it is reserved by ZooKeeper";
        }
        return null;
    }

    /** Throws when the namespace is unusable. */
    static void checkNamespace(String namespace) {
        String problem = namespaceProblem(namespace);
        if (problem != null) {
            throw new IllegalArgumentException("namespace was '" + namespace + "' but " + problem);
        }
    }

    /** Throws when a builder's value was set before ({@code current} is not null). */
    static void once(Object current, String what) {
        if (current != null) {
            throw new IllegalStateException(what + " was already set");
        }
    }

    /** The duration, when ZooKeeper takes it: 1 ms to {@link Integer#MAX_VALUE} ms; else throws. */
    static Duration millis(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(what + " must be at least 1ms but was " + Durations.format(value));
        }
        if (value.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    what + " must be at most " + Integer.MAX_VALUE + "ms but was " + Durations.format(value));
        }
        return value;
    }
}
