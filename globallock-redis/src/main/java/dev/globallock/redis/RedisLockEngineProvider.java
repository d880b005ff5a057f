package dev.globallock.redis;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The {@code redis} engine: reads the {@code redis:} section (see the reference configuration for
 * every key and its default), reports every problem at once, then opens a {@link RedisLockEngine}.
 * Connections are opened lazily, on the first operation.
 */
public final class RedisLockEngineProvider implements LockEngineProvider {
    /** Made by {@link java.util.ServiceLoader}; cheap, no I/O. */
    public RedisLockEngineProvider() {}

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "Redis (single, sentinel, cluster, redlock) on Jedis";
    }

    @Override
    public EngineCapabilities capabilities() {
        return RedisLockEngine.CAPABILITIES;
    }

    @Override
    public LockEngine create(ConfigSection section) {
        return RedisLockEngine.open(read(section));
    }

    /** Reads and validates the section; throws {@link dev.globallock.LockConfigException} listing every problem. */
    static RedisEngineConfig read(ConfigSection section) {
        RedisEngineConfig.Builder builder = RedisEngineConfig.builder();
        RedisMode mode = section.choice("mode", RedisMode.class, RedisMode.SINGLE);
        String modeName = mode.name().toLowerCase(Locale.ROOT);
        builder.mode(mode);

        List<String> nodes = section.stringList("nodes");
        if (!section.has("nodes")) {
            section.missing("nodes", RedisEngineConfig.Builder.expectedNodes(mode));
        } else if (nodes.isEmpty() && !section.hasProblems()) {
            section.problem(
                    "nodes", "[]", "it must name at least one node: " + RedisEngineConfig.Builder.expectedNodes(mode));
        }
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            try {
                RedisEngineConfig.parseNode(nodes.get(i), mode);
                accepted.add(nodes.get(i));
            } catch (IllegalArgumentException e) {
                // never echo a node URI that may carry credentials
                String shown = nodes.get(i).contains("@") ? "******" : nodes.get(i);
                section.problem("nodes[" + i + "]", shown, e.getMessage());
            }
        }
        if (accepted.size() == nodes.size() && !nodes.isEmpty()) {
            if (mode == RedisMode.SINGLE && nodes.size() != 1) {
                section.problem(
                        "nodes",
                        nodes,
                        "single mode takes exactly one node: set mode to cluster, sentinel or redlock for several");
            } else if (mode == RedisMode.REDLOCK && nodes.size() < 3) {
                section.problem("nodes", nodes, "redlock needs at least 3 independent masters");
            } else {
                long tls = nodes.stream()
                        .filter(n -> n.trim().toLowerCase(Locale.ROOT).startsWith("rediss:"))
                        .count();
                if (tls != 0 && tls != nodes.size()) {
                    section.problem("nodes", nodes, "it mixes redis:// and rediss://: use TLS for all nodes or none");
                } else {
                    builder.nodes(nodes);
                }
            }
        }

        section.string("master-name").ifPresent(name -> {
            if (mode != RedisMode.SENTINEL) {
                section.problem("master-name", name, "it is only used in sentinel mode, not " + modeName);
            } else if (name.isBlank()) {
                section.problem("master-name", name, "it must not be blank");
            } else {
                builder.masterName(name);
            }
        });
        if (mode == RedisMode.SENTINEL && !section.has("master-name")) {
            section.missing("master-name", "the name the sentinels monitor the master under, such as mymaster");
        }
        section.string("username").ifPresent(user -> {
            if (user.isBlank()) {
                section.problem("username", user, "it must not be blank; leave it out for the default user");
            } else {
                builder.username(user);
            }
        });
        section.secret("password").ifPresent(builder::password);
        section.string("sentinel-username").ifPresent(user -> {
            if (mode != RedisMode.SENTINEL) {
                section.problem("sentinel-username", user, "it is only used in sentinel mode, not " + modeName);
            } else if (!user.isBlank()) {
                builder.sentinelUsername(user);
            }
        });
        section.secret("sentinel-password").ifPresent(secret -> {
            if (mode != RedisMode.SENTINEL) {
                section.problem("sentinel-password", "******", "it is only used in sentinel mode, not " + modeName);
            } else {
                builder.sentinelPassword(secret);
            }
        });

        OptionalInt database = section.integer("database");
        if (database.isPresent()) {
            int db = database.getAsInt();
            String problem = RedisEngineConfig.databaseProblem(db, mode);
            if (problem != null) {
                section.problem("database", db, problem);
            } else {
                builder.database(db);
            }
        }
        builder.connectTimeout(timeout(section, "connect-timeout", RedisEngineConfig.DEFAULT_CONNECT_TIMEOUT));
        builder.commandTimeout(timeout(section, "command-timeout", RedisEngineConfig.DEFAULT_COMMAND_TIMEOUT));
        builder.poolSize(
                section.integer("pool-size", RedisEngineConfig.DEFAULT_POOL_SIZE, 1, RedisEngineConfig.MAX_POOL_SIZE));
        int replicas = section.integer("wait-for-replicas", 0, 0, 100);
        if (replicas > 0 && mode == RedisMode.REDLOCK) {
            section.problem(
                    "wait-for-replicas", replicas, "it is not used in redlock mode: its masters are independent");
        } else {
            builder.waitForReplicas(replicas);
        }
        builder.waitForReplicasTimeout(
                timeout(section, "wait-for-replicas-timeout", RedisEngineConfig.DEFAULT_WAIT_FOR_REPLICAS_TIMEOUT));
        builder.renewBatchSize(section.integer(
                "renew-batch-size",
                RedisEngineConfig.DEFAULT_RENEW_BATCH_SIZE,
                1,
                RedisEngineConfig.MAX_RENEW_BATCH_SIZE));
        builder.failoverTimeout(timeout(section, "failover-timeout", RedisEngineConfig.DEFAULT_FAILOVER_TIMEOUT));

        section.validate();
        return builder.build();
    }

    private static Duration timeout(ConfigSection section, String key, Duration defaultValue) {
        Duration value = section.positiveDuration(key, defaultValue);
        if (value.toMillis() < 1 || value.compareTo(Duration.ofMinutes(10)) > 0) {
            section.problem(key, section.string(key, ""), "it must be between 1ms and 10m");
            return defaultValue;
        }
        return value;
    }
}
