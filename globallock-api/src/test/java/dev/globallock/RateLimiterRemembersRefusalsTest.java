/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A refusal is remembered: until {@code sent + wait - wait / 100} (the manager's ticker, read before
 * the request was sent), a request for as many permits or more that cannot wait that long is
 * refused without asking the engine. Time here is a manual ticker; the engine's answers are scripted
 * and each engine call moves the ticker on by 100 ms (the round trip), so the interval is seen to
 * count from the send, not from the answer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimiterRemembersRefusalsTest {
    private static final long MS = 1_000_000L;
    private static final long ROUND_TRIP = 100 * MS;

    private final AtomicLong now = new AtomicLong(1_000 * MS);

    /** Scripted answers in order (the last repeats); each call takes one round trip of the ticker. */
    private final class Scripted implements RateLimiterEngine {
        final Deque<RateLimitState> answers = new ArrayDeque<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<RateLimitState> tryAcquire(RateLimit limit, int permits) {
            calls.add("take " + permits + " at " + (now.get() - start) / MS + "ms");
            now.addAndGet(ROUND_TRIP);
            return CompletableFuture.completedFuture(answers.size() > 1 ? answers.poll() : answers.peek());
        }

        @Override
        public synchronized CompletableFuture<RateLimitState> inspect(RateLimit limit, int permits) {
            calls.add("read " + permits);
            return CompletableFuture.completedFuture(RateLimitState.notGranted(0, 500 * MS));
        }
    }

    private final long start = now.get();
    private GlobalLockManager locks;

    @AfterEach
    void close() {
        if (locks != null) {
            locks.close();
        }
    }

    private RateLimiter limiter(Scripted script) {
        locks = GlobalLockManager.builder()
                .engine(new ForwardingLockEngine(MemoryLockEngine.open("scripted-" + UUID.randomUUID())) {
                    @Override
                    public Optional<RateLimiterEngine> rateLimiter() {
                        return Optional.of(script);
                    }
                })
                .ticker(now::get)
                .build();
        return locks.rateLimiter("api", 5, Duration.ofSeconds(2));
    }

    private void at(long millis) {
        now.set(start + millis * MS);
    }

    @Test
    @DisplayName(
            "refused 2 'fits in 1s', sent at 0: 2 or more are refused locally until 990ms, 1 still asks, 2 ask at 990ms")
    void intervalCountsFromTheSendLessOnePercent() {
        Scripted script = new Scripted();
        script.answers.add(RateLimitState.notGranted(1, 1_000 * MS));
        script.answers.add(RateLimitState.granted(0));
        script.answers.add(RateLimitState.notGranted(0, 1_000 * MS));
        RateLimiter limiter = limiter(script);

        at(0);
        assertThat(limiter.tryAcquire(2)).isFalse();
        assertThat(script.calls).containsExactly("take 2 at 0ms");

        at(989);
        assertThat(limiter.tryAcquire(2)).isFalse();
        assertThat(limiter.tryAcquire(5)).isFalse();
        assertThat(limiter.tryAcquire(2, Duration.ofMillis(0))).isFalse();
        assertThat(limiter.tryAcquireAsync(3, Duration.ZERO).join()).isFalse();
        assertThat(script.calls).as("2 or more before 990ms: refused here").hasSize(1);

        assertThat(limiter.tryAcquire(1))
                .as("fewer permits than were refused: asked")
                .isTrue();
        assertThat(script.calls).containsExactly("take 2 at 0ms", "take 1 at 989ms");

        at(990);
        assertThat(limiter.tryAcquire(2)).isFalse();
        assertThat(script.calls)
                .as("at sent + wait - 1%: asked again (from the answer, 100ms later, it would still be refused here)")
                .containsExactly("take 2 at 0ms", "take 1 at 989ms", "take 2 at 990ms");

        assertThat(limiter.availablePermits()).isZero();
        assertThat(limiter.timeUntilAvailable(2)).isEqualTo(Duration.ofMillis(500));
        assertThat(script.calls).as("reads always ask").endsWith("read 1", "read 2");
    }

    @Test
    @DisplayName("a wait: refused locally only when the permits cannot fit within it; a longer wait asks")
    void waitsUseItOnlyToGiveUp() {
        Scripted script = new Scripted();
        script.answers.add(RateLimitState.notGranted(0, 1_000 * MS));
        script.answers.add(RateLimitState.granted(0));
        RateLimiter limiter = limiter(script);

        at(0);
        assertThat(limiter.tryAcquire(1)).isFalse();
        at(500);
        assertThat(limiter.tryAcquire(1, Duration.ofMillis(489)))
                .as("490ms left > 489ms")
                .isFalse();
        assertThat(limiter.tryAcquireAsync(1, Duration.ofMillis(489)).join()).isFalse();
        assertThat(script.calls).hasSize(1);

        assertThat(limiter.tryAcquire(1, Duration.ofMillis(490)))
                .as("may fit within the wait: asked")
                .isTrue();
        assertThat(script.calls).containsExactly("take 1 at 0ms", "take 1 at 500ms");

        at(600);
        assertThat(limiter.tryAcquire(1))
                .as("a grant of as many permits forgot the refusal: asked")
                .isTrue();
        assertThat(script.calls).hasSize(3);
    }

    @Test
    @DisplayName("an engine that reports more than two windows is believed for two windows at most")
    void atMostTwoWindows() {
        Scripted script = new Scripted();
        script.answers.add(RateLimitState.notGranted(0, 60_000 * MS));
        RateLimiter limiter = limiter(script);

        at(0);
        assertThat(limiter.tryAcquire()).isFalse();
        at(3_959);
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(script.calls).hasSize(1);
        at(3_960);
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(script.calls).hasSize(2);
    }
}
