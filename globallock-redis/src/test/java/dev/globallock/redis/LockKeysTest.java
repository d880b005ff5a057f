/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

@DisplayName("redis key layout")
class LockKeysTest {
    private static final List<String> NAMES = List.of(
            "a",
            "{",
            "}",
            "{}",
            "}{",
            "a{b}c",
            "{a}b",
            "a%7Bb",
            "a%b",
            "%",
            "with space",
            "ünï-锁-🔒",
            "x".repeat(1024));

    @Test
    @DisplayName("a lock, its counter and its channel share one slot whatever the name")
    void oneSlotPerLock() {
        for (String name : NAMES) {
            LockKeys keys = LockKeys.of(name);
            int slot = JedisClusterCRC16.getSlot(keys.lock);
            assertThat(JedisClusterCRC16.getSlot(keys.fence)).as(name).isEqualTo(slot);
            assertThat(JedisClusterCRC16.getSlot(keys.channel)).as(name).isEqualTo(slot);
        }
    }

    @Test
    @DisplayName("escaping is injective: alike names never share keys")
    void noCollisions() {
        Set<String> locks = new HashSet<>();
        for (String name : NAMES) {
            assertThat(locks.add(LockKeys.of(name).lock)).as(name).isTrue();
        }
        assertThat(LockKeys.of("app:{x}").lock).isEqualTo("{app:%7Bx%7D}");
        assertThat(LockKeys.of("app:x").fence).isEqualTo("{app:x}:fence");
    }
}
