/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockEngineProvider;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.EngineErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The manager's rate limiters: the argument rules, the engine's {@link RateLimiterEngine} (asked for
 * once, closed with the manager), the asynchronous waits to end at close, and the signal that wakes
 * sleeping callers when the manager closes. Thread-safe.
 */
final class RateLimiters {
    /** The shortest window: every engine's clock resolves it. */
    static final Duration MINIMUM_WINDOW = Duration.ofMillis(1);
    /** The longest window: a year of entries is already more than any backend should keep. */
    static final Duration MAXIMUM_WINDOW = Duration.ofDays(365);

    final ManagerContext manager;
    final EngineErrors errors;
    /** Completed when the manager closes: sleeping callers wait on it. */
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Asynchronous waits not yet settled, with their limiter's name, so that closing ends them. */
    final Map<CompletableFuture<Boolean>, String> pending = new ConcurrentHashMap<>();

    private final ReentrantLock opening = new ReentrantLock();
    private volatile RateLimiterEngine engineLimiter;

    RateLimiters(ManagerContext manager) {
        this.manager = manager;
        this.errors = EngineErrors.of(manager.engine);
    }

    /**
     * A limiter handle after checking every argument and the engine's capability.
     *
     * @throws UnsupportedOperationException when the engine keeps no rate limiters
     */
    RateLimiter create(String name, int permits, Duration window, RateLimiter.Algorithm algorithm) {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(algorithm, "algorithm");
        String key = manager.keyFor(name);
        String limiter = RateLimit.describe(name);
        if (permits < 1) {
            throw new IllegalArgumentException(
                    "permits of " + limiter + " was '" + permits + "' but it must be at least 1");
        }
        if (window.compareTo(MINIMUM_WINDOW) < 0 || window.compareTo(MAXIMUM_WINDOW) > 0) {
            throw new IllegalArgumentException("window of " + limiter + " was '" + Durations.format(window)
                    + "' but it must be between " + Durations.format(MINIMUM_WINDOW) + " and "
                    + Durations.format(MAXIMUM_WINDOW));
        }
        RateLimiterEngine engine = engineLimiter(limiter);
        return new ManagedRateLimiter(this, engine, RateLimit.of(name, key, permits, window, algorithm));
    }

    private RateLimiterEngine engineLimiter(String limiter) {
        RateLimiterEngine current = engineLimiter;
        if (current != null) {
            return current;
        }
        if (!manager.capabilities.has(Capability.RATE_LIMITER)) {
            throw missing(limiter, "its capabilities lack RATE_LIMITER");
        }
        opening.lock();
        try {
            if (engineLimiter == null) {
                Optional<RateLimiterEngine> offered = manager.engine.rateLimiter();
                if (offered == null || offered.isEmpty()) {
                    throw missing(limiter, "it declares RATE_LIMITER but returned no rate limiter");
                }
                engineLimiter = offered.get();
                if (manager.isClosed()) {
                    closeEngineLimiter();
                    throw closedError(limiter);
                }
            }
            return engineLimiter;
        } finally {
            opening.unlock();
        }
    }

    private UnsupportedOperationException missing(String limiter, String why) {
        List<String> offering = new ArrayList<>();
        for (Map.Entry<String, LockEngineProvider> provider :
                EngineProviders.load().all().entrySet()) {
            try {
                if (provider.getValue().capabilities().has(Capability.RATE_LIMITER)) {
                    offering.add(provider.getKey());
                }
            } catch (RuntimeException e) {
                // a provider that cannot say is not listed
            }
        }
        return new UnsupportedOperationException(errors.say("has no rate limiter (" + why + "), so "
                + limiter + " cannot be made"
                + (offering.isEmpty()
                        ? ""
                        : "; engines on the class path that offer them: " + String.join(", ", offering))
                + " (see the rate limiter documentation for which engines and modes do, and why)"));
    }

    /** Closing: ends the asynchronous waits, wakes sleeping callers, closes the engine's rate limiters. */
    void close() {
        closed.complete(null);
        for (Map.Entry<CompletableFuture<Boolean>, String> waiting : List.copyOf(pending.entrySet())) {
            waiting.getKey().completeExceptionally(closedError(RateLimit.describe(waiting.getValue())));
        }
        opening.lock();
        try {
            closeEngineLimiter();
        } finally {
            opening.unlock();
        }
    }

    private void closeEngineLimiter() {
        RateLimiterEngine current = engineLimiter;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                System.getLogger("dev.globallock.GlobalLockManager")
                        .log(System.Logger.Level.DEBUG, () -> "closing the engine's rate limiters failed: " + e);
            }
        }
    }

    IllegalStateException closedError(String limiter) {
        return new IllegalStateException("the " + manager.engine.name() + " lock manager is closed (" + limiter + ")");
    }

    boolean isClosed() {
        return closed.isDone();
    }
}
