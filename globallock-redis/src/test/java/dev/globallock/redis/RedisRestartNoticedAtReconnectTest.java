/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockLostException;
import dev.globallock.LockState;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A holder learns that its lease is gone when the engine reconnects to a node that came back as
 * another process, not at the watchdog's next renewal: the watchdog lease here is 60 s, so its
 * first renewal is 20 s after the acquisition, far beyond the bounds asserted.
 */
@DisplayName("redis engine: a restarted or failed-over master is noticed at reconnect")
class RedisRestartNoticedAtReconnectTest {
    private static final Duration WATCHDOG_LEASE = Duration.ofSeconds(60);

    @Test
    @DisplayName("a restart without persistence: the holder is told within a second or two of the server being back")
    void restartWithoutPersistence() {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager locks = manager(Map.of("nodes", List.of(own.uri())));
                GlobalLockManager other = manager(Map.of("nodes", List.of(own.uri())))) {
            LockHandle held = locks.lock("restarted");
            LockHandle unaffected = other.lock("taken-after-the-restart-elsewhere");
            unaffected.release();
            AtomicLong toldAt = new AtomicLong();
            held.onLost(() -> toldAt.set(System.nanoTime()));

            own.process().restart(); // no persistence: the lock is gone; returns once the server answers PING
            long back = System.nanoTime();
            // a lock taken on the new process by the same engine right away is not reported lost with the old one
            // (the first call may meet a pooled connection the restart broke)
            LockHandle fresh = Await.untilPresent(
                    Duration.ofSeconds(5),
                    () -> Optional.of(locks.tryLock("taken-on-the-new-process")).filter(LockHandle::isLocked),
                    () -> "a lock on the new process");

            Await.until(Duration.ofSeconds(5), () -> toldAt.get() != 0, () -> "the holder to be told");
            assertThat(Duration.ofNanos(toldAt.get() - back))
                    .as("from the server being back to the holder being told")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(held.isLocked()).isFalse();
            assertThat(held.state()).isEqualTo(LockState.LOST);
            assertThatThrownBy(held::release)
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining("'restarted'");
            assertThat(fresh.isLocked()).isTrue();
            Await.until(
                    Duration.ofSeconds(5),
                    () -> other.tryLock("restarted").isLocked(),
                    () -> "the lock to be free on the new process");
            Await.holdsFor(
                    Duration.ofMillis(300), fresh::isLocked, () -> "the lock taken on the new process to stay held");
            fresh.release();
        }
    }

    @Test
    @DisplayName("a Sentinel failover after the master died: the holder is told once the new master is reached")
    void sentinelFailover() {
        try (RedisSentinel sentinel = RedisSentinel.start();
                GlobalLockManager locks = manager(Map.of(
                        "mode",
                        "sentinel",
                        "nodes",
                        sentinel.sentinelUris(),
                        "master-name",
                        sentinel.masterName(),
                        "connect-timeout",
                        "500ms",
                        "command-timeout",
                        "500ms"))) {
            LockHandle held = locks.lock("failed-over");
            AtomicLong toldAt = new AtomicLong();
            held.onLost(() -> toldAt.set(System.nanoTime()));

            sentinel.master().process().kill();
            RedisServer promoted = sentinel.awaitFailover(Duration.ofSeconds(20));
            long promotedAt = System.nanoTime();
            assertThat(promoted.port()).isEqualTo(sentinel.replica().port());
            // a lock taken on the new master, perhaps before the engine's watching connection got there
            LockHandle fresh = Await.untilPresent(
                    Duration.ofSeconds(10),
                    () -> Optional.of(locks.tryLock("taken-on-the-new-master")).filter(LockHandle::isLocked),
                    () -> "a lock on the new master");

            Await.until(Duration.ofSeconds(8), () -> toldAt.get() != 0, () -> "the holder to be told");
            assertThat(Duration.ofNanos(toldAt.get() - promotedAt))
                    .as("from the promotion being agreed to the holder being told")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(held.isLocked()).isFalse();
            assertThat(held.state()).isEqualTo(LockState.LOST);
            Await.holdsFor(
                    Duration.ofMillis(300), fresh::isLocked, () -> "the lock taken on the new master to stay held");
            fresh.release();
        }
    }

    private static GlobalLockManager manager(Map<String, Object> redis) {
        return GlobalLockManager.builder()
                .config(Map.of("engine", "redis", "key-prefix", "reconnect:", "redis", redis))
                .watchdogLease(WATCHDOG_LEASE)
                .build();
    }
}
