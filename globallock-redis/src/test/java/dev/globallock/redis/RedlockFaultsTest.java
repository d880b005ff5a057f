/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine, Redlock over 5 servers: servers down")
class RedlockFaultsTest {
    private static RedisServers servers;
    private String prefix;

    @BeforeAll
    static void startServers() {
        servers = RedisServers.start(5);
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    @AfterEach
    void restartKilled() {
        for (RedisServer server : servers.servers()) {
            if (!server.process().isAlive()) {
                server.process().restart();
            }
        }
    }

    private GlobalLockManager manager() {
        if (prefix == null) {
            prefix = "redlock-" + UUID.randomUUID() + ":";
        }
        return GlobalLockManager.builder()
                .config(Map.of(
                        "engine",
                        "redis",
                        "key-prefix",
                        prefix,
                        "redis",
                        Map.of(
                                "mode",
                                "redlock",
                                "nodes",
                                servers.uris(),
                                "connect-timeout",
                                "500ms",
                                "command-timeout",
                                "500ms")))
                .watchdogLease(Duration.ofSeconds(3))
                .build();
    }

    private boolean anyNodeHolds(String name) {
        String key = LockKeys.of(prefix + name).lock;
        for (RedisServer server : servers.servers()) {
            if (server.process().isAlive()) {
                try (RedisClient client = RedisClient.create(server.host(), server.port())) {
                    if (client.exists(key)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    @DisplayName("with 2 of 5 servers down, locking, waiting, renewing and releasing still work")
    void twoDownStillWorks() throws Exception {
        try (GlobalLockManager first = manager();
                GlobalLockManager second = manager()) {
            servers.servers().get(0).process().kill();
            servers.servers().get(3).process().kill();
            long start = System.nanoTime();
            LockHandle held = first.lock("two-down");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(second.tryLock("two-down").isLocked()).isFalse();
            CompletableFuture<LockHandle> waiting = second.lockAsync(
                    "two-down", LockOptions.builder().waitForever().build());
            // more than one watchdog lease (3 s): renewals must reach the majority
            Await.holdsFor(
                    Duration.ofMillis(3_500),
                    () -> held.isLocked() && !waiting.isDone(),
                    () -> "the holder to keep the lock and the waiter to keep waiting");
            held.release();
            LockHandle next = waiting.get(5, TimeUnit.SECONDS);
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            next.release();
            assertThat(anyNodeHolds("two-down")).isFalse();
        }
    }

    @Test
    @DisplayName("with 3 of 5 servers down, a lock fails at once with a clear error and leaves nothing behind")
    void threeDownFailsCleanly() {
        try (GlobalLockManager locks = manager()) {
            servers.servers().get(1).process().kill();
            servers.servers().get(2).process().kill();
            servers.servers().get(4).process().kill();
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(
                            "three-down",
                            LockOptions.builder()
                                    .waitTime(Duration.ofSeconds(5))
                                    .build()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("'three-down'")
                    .hasMessageContaining("only 2 of 5")
                    .hasMessageContaining("majority of 3");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(anyNodeHolds("three-down")).as("partial grants undone").isFalse();
        }
        restartKilled();
        try (GlobalLockManager locks = manager()) {
            try (LockHandle held = locks.tryLock("three-down")) {
                assertThat(held.isLocked()).isTrue();
            }
        }
    }
}
