/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import dev.globallock.tck.fixture.EtcdCluster;
import dev.globallock.tck.fixture.RedisCluster;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import dev.globallock.tck.fixture.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The deployments the fault suite runs against, each with its fault schedule. Every server is a real
 * local process started by the {@code globallock-tck} fixtures: the Redis forms are in {@link
 * RedisDeployments}, the consensus ones (etcd, ZooKeeper) in {@link QuorumDeployments}.
 */
enum Form {
    REDIS_SINGLE("redis-single", "Redis, one server (no persistence)") {
        @Override
        Deployment start(Settings settings) {
            return new RedisDeployments.Single(RedisServer.start(), settings);
        }
    },
    REDIS_SENTINEL("redis-sentinel", "Redis Sentinel (master, replica, 3 sentinels)") {
        @Override
        Deployment start(Settings settings) {
            return new RedisDeployments.Sentinel(RedisSentinel.start());
        }
    },
    REDIS_CLUSTER("redis-cluster", "Redis Cluster (3 masters + 3 replicas)") {
        @Override
        Deployment start(Settings settings) {
            return new RedisDeployments.Cluster(RedisCluster.start(3, 1));
        }
    },
    REDIS_REDLOCK("redis-redlock", "Redlock over 5 independent masters (no persistence)") {
        @Override
        Deployment start(Settings settings) {
            return new RedisDeployments.Redlock(RedisServers.start(5));
        }
    },
    ETCD("etcd-cluster", "etcd, 3 members") {
        @Override
        Deployment start(Settings settings) {
            return new QuorumDeployments.Etcd(EtcdCluster.start(3), settings);
        }
    },
    ZOOKEEPER("zookeeper-ensemble", "ZooKeeper, 3 servers") {
        @Override
        Deployment start(Settings settings) {
            return new QuorumDeployments.ZooKeeper(ZooKeeperEnsemble.start(3), settings);
        }
    };

    /** The lock every worker contends on. */
    static final String LOCK_NAME = "fault-suite";

    /** How long a server fault may take to heal (a failover, an election, a rejoin). */
    static final Duration RECOVERY = Duration.ofSeconds(30);

    private final String id;
    private final String title;

    Form(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The name on the command line ({@code --form redis-single}). */
    String id() {
        return id;
    }

    String title() {
        return title;
    }

    /** Starts the servers. */
    abstract Deployment start(Settings settings);

    static Optional<Form> byId(String id) {
        for (Form form : values()) {
            if (form.id.equals(id)) {
                return Optional.of(form);
            }
        }
        return Optional.empty();
    }

    /** One step of a fault schedule. */
    record Step(String label, History.FaultKind kind, Supplier<String> serverAction) {
        static Step killHolder() {
            return new Step("SIGKILL a holder", History.FaultKind.KILL_HOLDER, null);
        }

        static Step freezeHolder() {
            return new Step("SIGSTOP a holder past its lease", History.FaultKind.FREEZE_HOLDER, null);
        }

        static Step server(String label, Supplier<String> action) {
            return new Step(label, History.FaultKind.SERVER, action);
        }
    }

    /** Running servers of one form. */
    interface Deployment extends AutoCloseable {
        /** The servers and their addresses, for the report. */
        String description();

        /** The engine configuration (without the watchdog and overrides, which the run adds). */
        Map<String, Object> engineConfig();

        /** The faults to inject, in order. */
        List<Step> schedule();

        @Override
        void close();
    }

    /** An engine configuration: {@code engine: NAME} and its section. */
    static Map<String, Object> config(String engine, Map<String, Object> section) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", engine);
        config.put(engine, section);
        return config;
    }

    static String since(long start) {
        return seconds(Duration.ofNanos(System.nanoTime() - start));
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
    }
}
