/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine: redis.database against a real server")
class RedisDatabaseIndexTest {
    private static RedisServer redis;

    @BeforeAll
    static void startServer() {
        redis = RedisServer.start(); // 16 databases, Redis' default
    }

    @AfterAll
    static void stopServer() {
        if (redis != null) {
            redis.close();
        }
    }

    private static GlobalLockManager manager(int database) {
        return GlobalLockManager.create(Map.of(
                "engine",
                "redis",
                "key-prefix",
                "database:",
                "redis",
                Map.of("nodes", List.of(redis.uri()), "database", database)));
    }

    @Test
    @DisplayName("an index the server does not have fails the first lock at once, naming redis.database and the value")
    void indexTheServerRefuses() {
        try (GlobalLockManager locks = manager(99)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(
                            "db",
                            LockOptions.builder()
                                    .waitTime(Duration.ofSeconds(5))
                                    .build()))
                    .isInstanceOf(LockConfigException.class)
                    .hasMessageContaining("redis.database was '99' but the server at " + redis.uri() + " refused it")
                    .hasMessageContaining("DB index is out of range")
                    .hasMessageContaining("'databases' setting")
                    .hasMessageContaining("lock 'db'");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThatThrownBy(() -> locks.tryLock("db")).isInstanceOf(LockConfigException.class);
        }
    }

    @Test
    @DisplayName("an index the server has is used")
    void indexTheServerHas() {
        try (GlobalLockManager locks = manager(15);
                RedisClient db15 = RedisClient.builder()
                        .hostAndPort(new HostAndPort(redis.host(), redis.port()))
                        .clientConfig(
                                DefaultJedisClientConfig.builder().database(15).build())
                        .build()) {
            try (LockHandle held = locks.lock("db")) {
                assertThat(held.isLocked()).isTrue();
                assertThat(db15.exists(LockKeys.of("database:db").lock)).isTrue();
            }
        }
    }
}
