/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.RateLimiter;
import dev.globallock.Ticker;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.SlidingWindowCounters;
import dev.globallock.spi.support.SlidingWindowLog;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The memory engine's rate limiters, the reference implementation: one record per key and algorithm
 * in the namespace's table, shared by every memory engine on that namespace (so several managers
 * count together, as several processes would), aged by this JVM's monotonic clock. A record is
 * dropped as soon as nothing in it counts any more, so idle limiters cost nothing. Each call is
 * atomic (one {@link ConcurrentHashMap#compute}) and completes at once. Thread-safe.
 */
final class MemoryRateLimiter implements RateLimiterEngine {
    private static final Map<String, Map<String, Object>> NAMESPACES = new ConcurrentHashMap<>();
    private static final Ticker CLOCK = Ticker.system();

    private final Map<String, Object> records;
    private final BooleanSupplier abandoned;
    private final EngineErrors errors;

    MemoryRateLimiter(String namespace, BooleanSupplier abandoned, EngineErrors errors) {
        this.records = NAMESPACES.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>());
        this.abandoned = abandoned;
        this.errors = errors;
    }

    @Override
    public CompletableFuture<RateLimitState> tryAcquire(RateLimit limit, int permits) {
        return apply(limit, permits, true);
    }

    @Override
    public CompletableFuture<RateLimitState> inspect(RateLimit limit, int permits) {
        return apply(limit, permits, false);
    }

    private CompletableFuture<RateLimitState> apply(RateLimit limit, int permits, boolean take) {
        if (abandoned.getAsBoolean()) {
            return CompletableFuture.failedFuture(errors.unusable(
                    "was abandoned", (take ? "take permits of " : "read ") + RateLimit.describe(limit.name())));
        }
        RateLimitState[] answer = new RateLimitState[1];
        boolean exact = limit.algorithm() == RateLimiter.Algorithm.EXACT;
        records.compute(limit.key() + (exact ? "#exact" : "#approximate"), (key, record) -> {
            long now = CLOCK.read();
            if (exact) {
                SlidingWindowLog log = record == null ? new SlidingWindowLog() : (SlidingWindowLog) record;
                answer[0] = take ? log.tryAcquire(now, limit, permits) : log.inspect(now, limit, permits);
                return log.isEmpty() ? null : log;
            }
            SlidingWindowCounters counters =
                    record == null ? new SlidingWindowCounters() : (SlidingWindowCounters) record;
            answer[0] = take ? counters.tryAcquire(now, limit, permits) : counters.inspect(now, limit, permits);
            return counters.isIdle(now, limit.windowNanos()) ? null : counters;
        });
        return CompletableFuture.completedFuture(answer[0]);
    }

    @Override
    public String toString() {
        return "MemoryRateLimiter{" + records.size() + " limiters}";
    }
}
