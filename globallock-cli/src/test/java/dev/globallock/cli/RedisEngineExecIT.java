/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.tck.fixture.RedisServer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;

/** {@code globallock exec} on a real redis-server: the swap from the file engine is a config change. */
class RedisEngineExecIT extends ExecContract {
    private static RedisServer redis;
    private String prefix;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    String configuration(Path directory) {
        prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        return "engine: redis\nkey-prefix: \"" + prefix + "\"\nredis:\n  nodes: [ \"" + redis.uri() + "\" ]\n";
    }

    @Override
    void forget(String name) {
        try (RedisClient admin = RedisClient.create(redis.host(), redis.port())) {
            admin.del("{" + prefix + name + "}"); // the lock key; its fence counter stays
        }
    }

    @Override
    List<String> crashableHolderOptions() {
        return List.of("--lease", "2s"); // a dead holder's lock expires with its lease
    }
}
