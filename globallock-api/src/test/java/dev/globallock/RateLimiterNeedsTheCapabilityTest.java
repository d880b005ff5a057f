/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Asking for a rate limiter on an engine without {@link Capability#RATE_LIMITER} (etcd, ZooKeeper,
 * Redis in Redlock mode) is a clear error naming the engine and the engines that have one, never a
 * silent fallback; the engine's own rate limiter is never asked for.
 */
class RateLimiterNeedsTheCapabilityTest {
    /** A memory engine dressed as an engine without rate limiters, such as etcd. */
    private static final class WithoutRateLimiter extends ForwardingLockEngine {
        private final EngineCapabilities capabilities;
        int asked;

        WithoutRateLimiter(EngineCapabilities capabilities) {
            super(MemoryLockEngine.open("no-rate-" + UUID.randomUUID()));
            this.capabilities = capabilities;
        }

        @Override
        public String name() {
            return "etcd";
        }

        @Override
        public String describeEndpoint() {
            return "http://127.0.0.1:2379";
        }

        @Override
        public EngineCapabilities capabilities() {
            return capabilities;
        }

        @Override
        public Optional<RateLimiterEngine> rateLimiter() {
            asked++;
            return capabilities.has(Capability.RATE_LIMITER) ? Optional.empty() : super.rateLimiter();
        }
    }

    @Test
    @DisplayName("an engine without the capability: UnsupportedOperationException naming it and those that have one")
    void missingCapability() {
        WithoutRateLimiter engine = new WithoutRateLimiter(
                EngineCapabilities.of(Capability.LEASE_TIME, Capability.FENCING_TOKENS, Capability.RATE_LIMITER)
                        .without(Capability.RATE_LIMITER));
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(engine).build()) {
            assertThat(locks.capabilities().has(Capability.RATE_LIMITER)).isFalse();
            assertThatThrownBy(() -> locks.rateLimiter("api", 10, Duration.ofSeconds(1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("engine 'etcd' at http://127.0.0.1:2379 has no rate limiter (its capabilities lack"
                            + " RATE_LIMITER), so rate limiter 'api' cannot be made; engines on the class path that"
                            + " offer them: memory (see the rate limiter documentation for which engines and modes"
                            + " do, and why)");
            assertThat(engine.asked).as("the engine is not asked").isZero();
            assertThat(locks.tryLock("still-locks").isLocked())
                    .as("locks work as before")
                    .isTrue();
        }
    }

    @Test
    @DisplayName("an engine that declares the capability but has no rate limiter is told so")
    void declaredButMissing() {
        WithoutRateLimiter engine = new WithoutRateLimiter(EngineCapabilities.of(Capability.RATE_LIMITER));
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(engine).build()) {
            assertThatThrownBy(() -> locks.rateLimiter("api", 10, Duration.ofSeconds(1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageStartingWith("engine 'etcd' at http://127.0.0.1:2379 has no rate limiter (it declares"
                            + " RATE_LIMITER but returned no rate limiter)");
        }
    }

    @Test
    @DisplayName("the memory engine and its provider declare the capability")
    void memoryDeclaresIt() {
        assertThat(GlobalLockManager.engineCapabilities("memory").orElseThrow().has(Capability.RATE_LIMITER))
                .isTrue();
        try (GlobalLockManager locks = GlobalLockManager.inMemory()) {
            assertThat(locks.capabilities().has(Capability.RATE_LIMITER)).isTrue();
        }
    }
}
