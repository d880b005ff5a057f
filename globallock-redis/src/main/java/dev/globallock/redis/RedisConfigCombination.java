/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.support.TlsSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the values given to a {@link RedisEngineConfig.Builder} fit together in its mode: an
 * application's client and what it excludes, the nodes the mode needs, the master name and the
 * keys only sentinel mode has, the values the mode limits. Each value was checked alone when it was
 * set; the reasons are {@link RedisConfigRules}', said as {@code <name> was '<value>' but <reason>}.
 * Every problem is collected, in the order of the calls, and reported at once by {@link
 * #throwIfAny}.
 *
 * <p>One per {@code build()} call; not thread-safe. No I/O.
 */
final class RedisConfigCombination {
    private final RedisMode mode;
    private final List<String> problems = new ArrayList<>();

    RedisConfigCombination(RedisMode mode) {
        this.mode = mode;
    }

    /** An application's client: single mode, at most the one node it talks to, its own TLS settings. */
    void client(List<URI> nodes, TlsSettings tls) {
        if (mode != RedisMode.SINGLE) {
            problems.add("an application client can only be used in single mode, not " + RedisConfigRules.nameOf(mode));
        }
        if (nodes != null && nodes.size() > 1) {
            problems.add("with an application client, nodes may name at most the one server it talks to");
        }
        if (tls != null && tls.enabled()) {
            check("tls", tls, RedisConfigRules.TLS_WITH_CLIENT);
        }
    }

    /** Without a client: the nodes are required, as many as the mode takes. */
    void nodes(List<URI> nodes) {
        if (nodes == null) {
            problems.add("nodes was missing but it is required: " + RedisConfigRules.expectedNodes(mode));
        } else {
            check("nodes", nodes, RedisConfigRules.nodesProblem(nodes, mode));
        }
    }

    /** The master name is required in sentinel mode; it and the sentinels' credentials are refused in others. */
    void sentinel(String masterName, String sentinelUsername, boolean sentinelPassword) {
        if (mode == RedisMode.SENTINEL && masterName == null) {
            problems.add("masterName was missing but it is required: " + RedisConfigRules.EXPECTED_MASTER_NAME);
        }
        String sentinelOnly = RedisConfigRules.sentinelOnlyProblem(mode);
        if (masterName != null) {
            check("masterName", masterName, sentinelOnly);
        }
        if (sentinelUsername != null) {
            check("sentinelUsername", sentinelUsername, sentinelOnly);
        }
        if (sentinelPassword) {
            check("sentinelPassword", "******", sentinelOnly);
        }
    }

    /** The database index and the replicas to wait for, as the mode limits them; null when not given. */
    void limits(Integer database, Integer waitForReplicas) {
        if (database != null) {
            check("database", database, RedisConfigRules.databaseProblem(database, mode));
        }
        if (waitForReplicas != null) {
            check("waitForReplicas", waitForReplicas, RedisConfigRules.waitForReplicasProblem(waitForReplicas, mode));
        }
    }

    /** @throws IllegalStateException listing every problem found, if there is one */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "the Redis engine configuration is incomplete: " + String.join("; ", problems));
        }
    }

    private void check(String name, Object value, String problem) {
        if (problem != null) {
            problems.add(RedisConfigRules.said(name, value, problem));
        }
    }
}
