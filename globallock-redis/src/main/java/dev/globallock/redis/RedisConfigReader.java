/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.SecretFiles;
import dev.globallock.spi.support.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the {@code redis:} section (see the reference configuration for every key and its
 * default) into a {@link RedisEngineConfig}: each key to its builder call, every problem reported
 * at once with the key's path ({@code redis.pool-size was '0' but it must be between 1 and 1024}),
 * never showing a secret. What is acceptable is {@link RedisConfigRules}' to say.
 */
final class RedisConfigReader {
    private final ConfigSection section;
    private final RedisMode mode;
    private final RedisEngineConfig.Builder builder = RedisEngineConfig.builder();
    /** Whether a node is a {@code rediss://} URI, which implies TLS. */
    private boolean rediss;

    private RedisConfigReader(ConfigSection section) {
        this.section = section;
        this.mode = section.choice("mode", RedisMode.class, RedisMode.SINGLE);
    }

    /** Reads and validates the section; throws {@link dev.globallock.LockConfigException} listing every problem. */
    static RedisEngineConfig read(ConfigSection section) {
        return new RedisConfigReader(section).read();
    }

    private RedisEngineConfig read() {
        builder.mode(mode);
        nodes();
        String sentinelOnly = RedisConfigRules.sentinelOnlyProblem(mode);
        section.string("master-name")
                .ifPresent(name -> set(
                        "master-name",
                        name,
                        sentinelOnly != null ? sentinelOnly : RedisConfigRules.masterNameProblem(name),
                        () -> builder.masterName(name)));
        if (mode == RedisMode.SENTINEL && !section.has("master-name")) {
            section.missing("master-name", RedisConfigRules.EXPECTED_MASTER_NAME);
        }
        String userKey = aliased("username", "user");
        section.string(userKey)
                .ifPresent(user ->
                        set(userKey, user, RedisConfigRules.usernameProblem(user), () -> builder.username(user)));
        SecretFiles.secret(section, "password").ifPresent(builder::password);
        section.string("sentinel-username")
                .ifPresent(user -> set("sentinel-username", user, sentinelOnly, () -> {
                    if (!user.isBlank()) { // blank is left out: the sentinels' default user
                        builder.sentinelUsername(user);
                    }
                }));
        String sentinelPasswordKey =
                section.has("sentinel-password-file") ? "sentinel-password-file" : "sentinel-password";
        SecretFiles.secret(section, "sentinel-password")
                .ifPresent(secret ->
                        set(sentinelPasswordKey, "******", sentinelOnly, () -> builder.sentinelPassword(secret)));
        section.integer("database")
                .ifPresent(db ->
                        set("database", db, RedisConfigRules.databaseProblem(db, mode), () -> builder.database(db)));
        timeout("connect-timeout", builder::connectTimeout);
        timeout("command-timeout", builder::commandTimeout);
        section.integer("pool-size")
                .ifPresent(size ->
                        set("pool-size", size, RedisConfigRules.poolSizeProblem(size), () -> builder.poolSize(size)));
        section.integer("wait-for-replicas")
                .ifPresent(replicas -> set(
                        "wait-for-replicas",
                        replicas,
                        RedisConfigRules.waitForReplicasProblem(replicas, mode),
                        () -> builder.waitForReplicas(replicas)));
        timeout("wait-for-replicas-timeout", builder::waitForReplicasTimeout);
        section.integer("renew-batch-size")
                .ifPresent(size -> set(
                        "renew-batch-size",
                        size,
                        RedisConfigRules.renewBatchSizeProblem(size),
                        () -> builder.renewBatchSize(size)));
        timeout("failover-timeout", builder::failoverTimeout);
        TlsSettings tls = TlsSettings.read(section.section("tls"), rediss);
        if (tls.enabled()) {
            builder.tls(tls);
        }
        section.validate();
        return builder.build();
    }

    private void nodes() {
        List<String> nodes = section.stringList("nodes");
        if (!section.has("nodes")) {
            section.missing("nodes", RedisConfigRules.expectedNodes(mode));
        } else if (nodes.isEmpty() && !section.hasProblems()) {
            section.problem("nodes", "[]", RedisConfigRules.nodesProblem(List.of(), mode));
        }
        List<URI> accepted = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            try {
                accepted.add(RedisConfigRules.parseNode(nodes.get(i), mode));
            } catch (IllegalArgumentException e) {
                // never echo a node URI that may carry credentials
                String shown = nodes.get(i).contains("@") ? "******" : nodes.get(i);
                section.problem("nodes[" + i + "]", shown, e.getMessage());
            }
        }
        rediss = accepted.stream().anyMatch(uri -> uri.getScheme().equals("rediss"));
        if (accepted.size() == nodes.size() && !nodes.isEmpty()) {
            set("nodes", nodes, RedisConfigRules.nodesProblem(accepted, mode), () -> builder.nodes(nodes));
        }
    }

    /**
     * The key given of a key and its alias (such as {@code username} and {@code user}); both given
     * is a problem. The key when neither is.
     */
    private String aliased(String key, String alias) {
        if (!section.has(alias)) {
            return key;
        }
        if (section.has(key)) {
            section.problem(alias, section.string(alias, ""), key + " is set too: give it once");
            return key;
        }
        return alias;
    }

    /** A duration the section reads as positive (else it says so), within the timeout rule. */
    private void timeout(String key, Consumer<Duration> setter) {
        if (section.has(key)) {
            Duration value = section.positiveDuration(key, Duration.ZERO);
            if (!value.isZero()) {
                set(key, section.string(key, ""), RedisConfigRules.timeoutProblem(value), () -> setter.accept(value));
            }
        }
    }

    /** Reports the problem with the key's value, or makes the builder call when there is none. */
    private void set(String key, Object value, String problem, Runnable call) {
        if (problem != null) {
            section.problem(key, value, problem);
        } else {
            call.run();
        }
    }
}
