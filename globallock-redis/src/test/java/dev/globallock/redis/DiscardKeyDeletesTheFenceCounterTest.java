/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.spi.LockEngine;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * {@code LockInspector.discard}: the fencing counter {@code {K}:fence} of a lock nobody holds is deleted
 * (what {@code globallock check} calls for its scratch lock), a held lock's is kept, and the next
 * grant's token is still above the earlier ones.
 */
@DisplayName("redis engine: the inspector's discard deletes an unheld lock's fencing counter")
class DiscardKeyDeletesTheFenceCounterTest {
    private static RedisServers servers;

    @BeforeAll
    static void startServers() {
        servers = RedisServers.start(3);
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    @DisplayName("single server")
    void singleServer() throws Exception {
        RedisServer server = servers.servers().get(0);
        check(Map.of("nodes", List.of(server.uri())), List.of(server));
    }

    @Test
    @DisplayName("Redlock: on every node")
    void redlock() throws Exception {
        check(Map.of("mode", "redlock", "nodes", servers.uris()), servers.servers());
    }

    private static void check(Map<String, Object> redis, List<RedisServer> nodes) throws Exception {
        String prefix = "forget-" + UUID.randomUUID() + ":";
        String fence = LockKeys.of(prefix + "scratch").fence;
        AtomicReference<LockEngine> engine = new AtomicReference<>();
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .config(Map.of("engine", "redis", "key-prefix", prefix, "redis", redis))
                .decorateEngine(opened -> {
                    engine.set(opened);
                    return opened;
                })
                .build()) {
            long first;
            try (LockHandle held = locks.lock("scratch")) {
                first = held.fencingToken();
                engine.get()
                        .inspector()
                        .orElseThrow()
                        .discard(prefix + "scratch")
                        .get(5, TimeUnit.SECONDS);
                assertThat(existsOnAll(nodes, fence))
                        .as("a held lock's counter is kept")
                        .isTrue();
            }
            assertThat(existsOnAll(nodes, fence)).isTrue();
            engine.get().inspector().orElseThrow().discard(prefix + "scratch").get(5, TimeUnit.SECONDS);
            assertThat(existsOnAny(nodes, fence))
                    .as("the unheld lock's counter is gone")
                    .isFalse();
            try (LockHandle again = locks.lock("scratch")) {
                assertThat(again.fencingToken()).isGreaterThan(first);
            }
            engine.get().inspector().orElseThrow().discard(prefix + "scratch").get(5, TimeUnit.SECONDS);
        }
        assertThat(existsOnAny(nodes, fence)).isFalse();
    }

    private static boolean existsOnAll(List<RedisServer> nodes, String key) {
        return nodes.stream().allMatch(node -> exists(node, key));
    }

    private static boolean existsOnAny(List<RedisServer> nodes, String key) {
        return nodes.stream().anyMatch(node -> exists(node, key));
    }

    private static boolean exists(RedisServer node, String key) {
        try (RedisClient client = RedisClient.create(node.host(), node.port())) {
            return client.exists(key);
        }
    }
}
