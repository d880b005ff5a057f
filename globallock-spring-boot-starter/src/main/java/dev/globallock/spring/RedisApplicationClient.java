/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.redis.RedisEngineConfig;
import dev.globallock.redis.RedisLockEngine;
import dev.globallock.redis.RedisMode;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import redis.clients.jedis.RedisClient;

/**
 * The {@code redis} engine on the application's Jedis {@link RedisClient} bean (single mode): the
 * engine borrows the client's pooled connections and never closes it.
 */
final class RedisApplicationClient implements ApplicationClientEngine {
    private final ObjectProvider<RedisClient> clients;

    RedisApplicationClient(ObjectProvider<RedisClient> clients) {
        this.clients = clients;
    }

    @Override
    public String engine() {
        return "redis";
    }

    @Override
    public String serverKey() {
        return "nodes";
    }

    @Override
    public String client() {
        return "the application's RedisClient bean";
    }

    @Override
    public boolean available() {
        return clients.getIfUnique() != null;
    }

    @Override
    public List<String> connectionKeys() {
        return List.of(
                "master-name",
                "username",
                "user",
                "password",
                "password-file",
                "sentinel-username",
                "sentinel-password",
                "sentinel-password-file",
                "tls",
                "database",
                "connect-timeout",
                "command-timeout",
                "pool-size");
    }

    @Override
    public Supplier<LockEngine> read(ConfigSection section) {
        RedisEngineConfig.Builder builder = RedisEngineConfig.builder();
        RedisMode mode = section.choice("mode", RedisMode.class, RedisMode.SINGLE);
        if (mode != RedisMode.SINGLE) {
            section.problem(
                    "mode",
                    section.string("mode", ""),
                    "it must be single when " + client()
                            + " is used: set redis.nodes for a topology of globallock's own");
        }
        builder.waitForReplicas(section.integer("wait-for-replicas", 0, 0, 100));
        ClientSettings.timeout(section, "wait-for-replicas-timeout").ifPresent(builder::waitForReplicasTimeout);
        builder.renewBatchSize(section.integer("renew-batch-size", 1000, 1, 100_000));
        ClientSettings.timeout(section, "failover-timeout").ifPresent(builder::failoverTimeout);
        return () -> RedisLockEngine.open(builder.client(clients.getObject()).build());
    }
}
