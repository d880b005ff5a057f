/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * An engine whose locks live as long as a client session (ZooKeeper) declares the session timeout;
 * the watchdog lease follows it: its default when {@code watchdog.lease} is not configured, and its
 * upper bound (with a warning) when it is.
 */
class WatchdogLeaseFollowsTheSessionTest {
    private static final Duration SESSION = Duration.ofSeconds(4);

    /** A memory engine dressed as a session-bound one; records the lease of each request. */
    private static final class SessionBoundEngine extends ForwardingLockEngine {
        final AtomicReference<Duration> requestedLease = new AtomicReference<>();

        SessionBoundEngine() {
            super(MemoryLockEngine.open("session-" + UUID.randomUUID()));
        }

        @Override
        public EngineCapabilities capabilities() {
            return EngineCapabilities.of(Capability.SESSION_BOUND).withSessionTimeout(SESSION);
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            requestedLease.set(request.leaseTime());
            return super.acquire(request);
        }
    }

    private static Duration watchdogLeaseOf(Consumer<GlobalLockManager.Builder> configure) {
        SessionBoundEngine engine = new SessionBoundEngine();
        GlobalLockManager.Builder builder = GlobalLockManager.builder().engine(engine);
        configure.accept(builder);
        try (GlobalLockManager locks = builder.build();
                LockHandle held = locks.lock("session")) {
            assertThat(held.isLocked()).isTrue();
            return engine.requestedLease.get();
        }
    }

    @Test
    void withoutAConfiguredWatchdogLeaseItIsTheSessionTimeout() {
        assertThat(watchdogLeaseOf(builder -> {})).isEqualTo(SESSION);
    }

    @Test
    void aShorterConfiguredWatchdogLeaseIsKept() {
        assertThat(watchdogLeaseOf(builder -> builder.watchdogLease(Duration.ofSeconds(1))))
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aLongerConfiguredWatchdogLeaseIsShortenedToTheSessionWithAWarning() {
        List<LogRecord> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger(GlobalLockManager.class.getName());
        logger.addHandler(capture);
        try {
            assertThat(watchdogLeaseOf(builder -> builder.watchdogLease(Duration.ofSeconds(30))))
                    .isEqualTo(SESSION);
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(warnings).extracting(LogRecord::getMessage).anySatisfy(message -> assertThat(message)
                .contains("watchdog.lease was '30s'")
                .contains("engine 'memory'")
                .contains("counts as 4s"));
    }

    @Test
    void anEngineWithoutASessionKeepsTheThirtySecondDefault() {
        AtomicReference<Duration> requested = new AtomicReference<>();
        try (GlobalLockManager locks = GlobalLockManager.builder()
                        .config(Map.of("engine", "memory", "memory", Map.of("namespace", "plain-" + UUID.randomUUID())))
                        .decorateEngine(engine -> new ForwardingLockEngine(engine) {
                            @Override
                            public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
                                requested.set(request.leaseTime());
                                return super.acquire(request);
                            }
                        })
                        .build();
                LockHandle held = locks.lock("plain")) {
            assertThat(locks.capabilities().sessionTimeout()).isEmpty();
            assertThat(held.isLocked()).isTrue();
            assertThat(requested.get()).isEqualTo(Duration.ofSeconds(30));
        }
    }
}
