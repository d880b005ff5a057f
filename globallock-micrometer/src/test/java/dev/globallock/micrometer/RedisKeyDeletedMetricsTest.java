/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * On a real Redis: an acquisition, a timeout against a second manager, and a lease lost because
 * its key was deleted on the server, read back from a {@link SimpleMeterRegistry}.
 */
class RedisKeyDeletedMetricsTest {
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void acquireTimeoutAndALeaseLostToADeletedKey() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("redis").build();
        metrics.bindTo(registry);
        try (GlobalLockManager locks = manager(metrics);
                GlobalLockManager other = manager(null);
                RedisClient admin = RedisClient.create(redis.host(), redis.port())) {
            LockHandle held = locks.lock("nightly-report");
            assertThat(other.tryLock(
                                    "nightly-report",
                                    LockOptions.builder()
                                            .waitTime(Duration.ofMillis(200))
                                            .build())
                            .isLocked())
                    .isFalse();
            assertThat(admin.del("{nightly-report}")).isEqualTo(1);
            Await.until(Duration.ofSeconds(10), () -> !held.isLocked(), () -> "the loss of the deleted lock");
            assertThat(held.state()).isEqualTo(LockState.LOST);
            assertThat(metrics.held()).isEqualTo(1);
            held.close();
        }
        // the other manager's timeout is not in this manager's meters
        assertThat(registry.get(GlobalLockMetrics.ACQUIRE)
                        .tags("engine", "redis", "outcome", "acquired")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(GlobalLockMetrics.ACQUIRE)
                        .tags("outcome", "timeout")
                        .timer()
                        .count())
                .isZero();
        assertThat(registry.get(GlobalLockMetrics.LOST)
                        .tags("state", "lost")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(GlobalLockMetrics.RENEWALS)
                        .tags("outcome", "failed")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(GlobalLockMetrics.HOLD).timer().count()).isEqualTo(1);
        assertThat(registry.get(GlobalLockMetrics.HELD).gauge().value()).isZero();
    }

    @Test
    void aTimeoutOnRedisIsTimedAsTimeout() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("redis").build();
        metrics.bindTo(registry);
        try (GlobalLockManager locks = manager(metrics);
                GlobalLockManager other = manager(null);
                LockHandle held = other.lock("busy-report")) {
            assertThat(locks.tryLock(
                                    "busy-report",
                                    LockOptions.builder()
                                            .waitTime(Duration.ofMillis(200))
                                            .build())
                            .isLocked())
                    .isFalse();
        }
        assertThat(registry.get(GlobalLockMetrics.ACQUIRE)
                        .tags("outcome", "timeout")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(GlobalLockMetrics.WAITING).gauge().value()).isZero();
    }

    private static GlobalLockManager manager(GlobalLockMetrics metrics) {
        GlobalLockManager.Builder builder = GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "redis",
                        "watchdog", Map.of("lease", "1s"),
                        "redis", Map.of("nodes", List.of(redis.uri()))));
        if (metrics != null) {
            builder.eventListener(metrics);
        }
        return builder.build();
    }
}
