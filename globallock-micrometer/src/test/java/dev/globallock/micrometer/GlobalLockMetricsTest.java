/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockTimeoutException;
import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import dev.globallock.tck.fixture.Await;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The meters read from a {@link SimpleMeterRegistry} after known sequences on the in-JVM engine. */
class GlobalLockMetricsTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String namespace = "metrics-" + UUID.randomUUID();
    private final AtomicBoolean failAcquisitions = new AtomicBoolean();

    @Test
    void anAcquisitionIsTimedAsAcquiredAndItsHoldIsTimedAtRelease() {
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("memory").build();
        metrics.bindTo(registry);
        try (GlobalLockManager locks = manager(metrics, Duration.ofSeconds(30))) {
            try (LockHandle lock = locks.lock("a");
                    LockHandle reentered = locks.lock("a")) {
                assertThat(acquire("acquired").count()).isEqualTo(1);
                assertThat(gauge(GlobalLockMetrics.HELD)).isEqualTo(1.0);
                assertThat(gauge(GlobalLockMetrics.WAITING)).isZero();
                assertThat(registry.get(GlobalLockMetrics.HOLD).timer().count()).isZero();
            }
            assertThat(registry.get(GlobalLockMetrics.HOLD).timer().count()).isEqualTo(1);
            assertThat(gauge(GlobalLockMetrics.HELD)).isZero();
        }
        assertThat(acquire("timeout").count()).isZero();
        assertThat(acquire("failed").count()).isZero();
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTags()).contains(Tag.of("engine", "memory"));
        }
    }

    @Test
    void aBusyLockIsTimedAsTimeoutAndItsWaitIsAGaugeWhileItLasts() throws Exception {
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("memory").build();
        metrics.bindTo(registry);
        try (GlobalLockManager locks = manager(metrics, Duration.ofSeconds(30));
                GlobalLockManager other = manager(null, Duration.ofSeconds(30));
                LockHandle held = other.lock("b")) {
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> assertThatThrownBy(() -> locks.lock(
                            "b",
                            LockOptions.builder()
                                    .waitTime(Duration.ofMillis(300))
                                    .build()))
                    .isInstanceOf(LockTimeoutException.class));
            Await.until(AWAIT, () -> gauge(GlobalLockMetrics.WAITING) == 1.0, () -> "a wait in progress");
            waiting.get(10, TimeUnit.SECONDS);
            assertThat(gauge(GlobalLockMetrics.WAITING)).isZero();
            assertThat(locks.tryLock("b").isLocked()).isFalse();
        }
        Timer timeouts = acquire("timeout");
        assertThat(timeouts.count()).isEqualTo(2);
        assertThat(timeouts.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(300);
        assertThat(acquire("acquired").count()).isZero();
        assertThat(gauge(GlobalLockMetrics.HELD)).isZero();
    }

    @Test
    void anAcquisitionTheBackendFailsIsTimedAsFailed() {
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("memory").build();
        metrics.bindTo(registry);
        failAcquisitions.set(true);
        try (GlobalLockManager locks = manager(metrics, Duration.ofSeconds(30))) {
            assertThatThrownBy(() -> locks.lock("c")).isInstanceOf(LockBackendException.class);
        }
        assertThat(acquire("failed").count()).isEqualTo(1);
        assertThat(acquire("timeout").count()).isZero();
        assertThat(gauge(GlobalLockMetrics.WAITING)).isZero();
    }

    @Test
    void anExpiredLeaseIsCountedAndWatchdogRenewalsAreCounted() {
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("memory").build();
        metrics.bindTo(registry);
        try (GlobalLockManager locks = manager(metrics, Duration.ofMillis(300));
                LockHandle watched = locks.lock("d");
                LockHandle leased = locks.lock(
                        "e",
                        LockOptions.builder().leaseTime(Duration.ofMillis(100)).build())) {
            // expired by the manager's timer, or lost when the engine dropped it a moment sooner
            Await.until(AWAIT, () -> lostOrExpired() == 1.0, () -> "the end of e's lease");
            Await.until(
                    AWAIT,
                    () -> registry.get(GlobalLockMetrics.RENEWALS)
                                    .tags("outcome", "renewed")
                                    .counter()
                                    .count()
                            >= 2.0,
                    () -> "two renewals of d");
            assertThat(leased.isLocked()).isFalse();
            assertThat(watched.isLocked()).isTrue();
        }
        assertThat(lostOrExpired()).isEqualTo(1.0);
        assertThat(registry.get(GlobalLockMetrics.RENEWALS)
                        .tags("outcome", "failed")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void theLockNameIsATagOnlyWhenAskedFor() {
        GlobalLockMetrics plain = GlobalLockMetrics.builder().engine("memory").build();
        GlobalLockMetrics named = GlobalLockMetrics.builder()
                .engine("memory")
                .lockNameTag(true)
                .tags(Tags.of("manager", "named"))
                .build();
        SimpleMeterRegistry namedRegistry = new SimpleMeterRegistry();
        plain.bindTo(registry);
        named.bindTo(namedRegistry);
        for (GlobalLockMetrics metrics : List.of(plain, named)) {
            try (GlobalLockManager locks = manager(metrics, Duration.ofSeconds(30))) {
                locks.lock("invoice-1").close();
                locks.lock("invoice-2").close();
            }
        }
        assertThat(registry.find(GlobalLockMetrics.ACQUIRE).tagKeys("name").timers())
                .isEmpty();
        assertThat(acquire("acquired").count()).isEqualTo(2);
        assertThat(namedRegistry
                        .get(GlobalLockMetrics.ACQUIRE)
                        .tags("outcome", "acquired", "name", "invoice-1", "manager", "named", "engine", "memory")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(namedRegistry
                        .get(GlobalLockMetrics.HOLD)
                        .tags("name", "invoice-2")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(namedRegistry.get(GlobalLockMetrics.HELD).gauge().getId().getTag("name"))
                .isNull();
    }

    @Test
    void theEngineTagIsReadWhenBoundAndEventsReachEveryRegistry() {
        GlobalLockManager[] manager = new GlobalLockManager[1];
        GlobalLockMetrics metrics = GlobalLockMetrics.builder()
                .engine(() -> manager[0].engineName())
                .build();
        try (GlobalLockManager locks = manager(metrics, Duration.ofSeconds(30))) {
            manager[0] = locks;
            SimpleMeterRegistry second = new SimpleMeterRegistry();
            metrics.bindTo(registry);
            metrics.bindTo(second);
            locks.lock("f").close();
            assertThat(second.get(GlobalLockMetrics.ACQUIRE)
                            .tags("engine", "memory", "outcome", "acquired")
                            .timer()
                            .count())
                    .isEqualTo(1);
        }
        assertThat(acquire("acquired").count()).isEqualTo(1);
    }

    private double lostOrExpired() {
        return registry.get(GlobalLockMetrics.LOST)
                        .tags("state", "expired")
                        .counter()
                        .count()
                + registry.get(GlobalLockMetrics.LOST)
                        .tags("state", "lost")
                        .counter()
                        .count();
    }

    private Timer acquire(String outcome) {
        return registry.get(GlobalLockMetrics.ACQUIRE).tags("outcome", outcome).timer();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private GlobalLockManager manager(GlobalLockMetrics metrics, Duration watchdogLease) {
        GlobalLockManager.Builder builder = GlobalLockManager.builder()
                .engine(new FailOnDemand(MemoryLockEngine.open(namespace)))
                .watchdogLease(watchdogLease);
        if (metrics != null) {
            builder.eventListener(metrics);
        }
        return builder.build();
    }

    /** Fails acquisitions while asked to: the library's decorator hook, not a mock. */
    private final class FailOnDemand extends ForwardingLockEngine {
        FailOnDemand(LockEngine delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            return failAcquisitions.get()
                    ? CompletableFuture.failedFuture(new LockBackendException("engine 'memory' refused"))
                    : super.acquire(request);
        }
    }
}
