/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.RateLimiter;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The two algorithms the memory and file engines share (and the Redis scripts mirror), on a clock
 * the test sets: the exact log admits again as each permit's window passes, one by one, not at a
 * boundary, and says exactly when; the counters weigh the previous window by its overlap.
 */
class SlidingWindowAlgorithmsTest {
    private static final long MS = 1_000_000L;
    private static final RateLimit EXACT =
            RateLimit.of("api", "api", 3, Duration.ofSeconds(1), RateLimiter.Algorithm.EXACT);
    private static final RateLimit APPROXIMATE =
            RateLimit.of("api", "api", 10, Duration.ofSeconds(1), RateLimiter.Algorithm.APPROXIMATE);

    @Test
    @DisplayName("exact: permits come back one by one as each one's window passes")
    void exactSlides() {
        SlidingWindowLog log = new SlidingWindowLog();
        long t0 = 5_000 * MS;
        assertThat(log.tryAcquire(t0, EXACT, 1).granted()).isTrue();
        assertThat(log.tryAcquire(t0 + 400 * MS, EXACT, 2).granted()).isTrue();
        RateLimitState full = log.tryAcquire(t0 + 500 * MS, EXACT, 1);
        assertThat(full.granted()).isFalse();
        assertThat(full.available()).isZero();
        assertThat(full.nanosUntilAvailable())
                .as("the first permit leaves at t0 + 1s")
                .isEqualTo(500 * MS);
        assertThat(log.inspect(t0 + 500 * MS, EXACT, 2).nanosUntilAvailable())
                .as("two fit once the pair taken at t0 + 400ms leaves")
                .isEqualTo(900 * MS);
        assertThat(log.tryAcquire(t0 + 999 * MS, EXACT, 1).granted()).isFalse();
        assertThat(log.tryAcquire(t0 + 1_000 * MS, EXACT, 1).granted())
                .as("exactly one window after the first permit")
                .isTrue();
        assertThat(log.tryAcquire(t0 + 1_001 * MS, EXACT, 1).granted())
                .as("a fixed window starting at t0 would have freed all three: this one slides")
                .isFalse();
        assertThat(log.inspect(t0 + 1_001 * MS, EXACT, 1).nanosUntilAvailable()).isEqualTo(399 * MS);
        assertThat(log.tryAcquire(t0 + 1_400 * MS, EXACT, 2).granted()).isTrue();
        assertThat(log.toArray()).containsExactly(t0 + 1_000 * MS, t0 + 1_400 * MS, t0 + 1_400 * MS);
        assertThat(log.inspect(t0 + 3_000 * MS, EXACT, 3).available()).isEqualTo(3);
        assertThat(log.isEmpty()).as("every entry expired: nothing to keep").isTrue();
    }

    @Test
    @DisplayName("exact: never more than the limit in any window, for any request pattern")
    void exactNeverExceeds() {
        SlidingWindowLog log = new SlidingWindowLog();
        java.util.Random random = new java.util.Random(7);
        long now = 0;
        java.util.List<Long> granted = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            now += random.nextInt(40) * MS;
            int permits = 1 + random.nextInt(3);
            if (log.tryAcquire(now, EXACT, permits).granted()) {
                for (int p = 0; p < permits; p++) {
                    granted.add(now);
                }
            }
        }
        for (int i = 0; i + EXACT.permits() < granted.size(); i++) {
            assertThat(granted.get(i + EXACT.permits()) - granted.get(i))
                    .as("permits " + i + " and " + (i + EXACT.permits()) + " are a window apart")
                    .isGreaterThanOrEqualTo(EXACT.windowNanos());
        }
    }

    @Test
    @DisplayName("exact: a clock set back counts the 'future' entries from now, so they leave at most a window later")
    void exactClockBack() {
        SlidingWindowLog log = SlidingWindowLog.of(new long[] {10_000 * MS, 10_000 * MS, 10_000 * MS});
        RateLimitState refused = log.tryAcquire(2_000 * MS, EXACT, 1);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.nanosUntilAvailable()).isEqualTo(1_000 * MS);
        assertThat(log.tryAcquire(3_000 * MS, EXACT, 3).granted()).isTrue();
    }

    @Test
    @DisplayName("approximate: the previous window counts by its overlap with the sliding window")
    void approximateWeighs() {
        SlidingWindowCounters counters = new SlidingWindowCounters();
        long w0 = 7_000 * MS; // the start of a fixed window
        assertThat(counters.tryAcquire(w0 + 100 * MS, APPROXIMATE, 10).granted())
                .isTrue();
        assertThat(counters.tryAcquire(w0 + 200 * MS, APPROXIMATE, 1).granted()).isFalse();
        // next window, 30% in: the previous ten weigh 7
        RateLimitState at30 = counters.inspect(w0 + 1_300 * MS, APPROXIMATE, 1);
        assertThat(at30.available()).isEqualTo(3);
        assertThat(counters.tryAcquire(w0 + 1_300 * MS, APPROXIMATE, 3).granted())
                .isTrue();
        RateLimitState refused = counters.tryAcquire(w0 + 1_300 * MS, APPROXIMATE, 2);
        assertThat(refused.granted()).isFalse();
        // 10 * (1 - e) + 3 <= 8 once e >= 0.5: at w0 + 1.5s, 200ms later
        assertThat(refused.nanosUntilAvailable()).isEqualTo(200 * MS);
        assertThat(counters.tryAcquire(w0 + 1_500 * MS, APPROXIMATE, 2).granted())
                .isTrue();
        // the current window holds 5: in the next one, 5 * (1 - e) <= 0 only at its end, so 10 fit
        // only after a whole window
        assertThat(counters.inspect(w0 + 1_500 * MS, APPROXIMATE, 10).nanosUntilAvailable())
                .isEqualTo(1_500 * MS);
        assertThat(counters.isIdle(w0 + 2_100 * MS, APPROXIMATE.windowNanos())).isFalse();
        assertThat(counters.isIdle(w0 + 3_000 * MS, APPROXIMATE.windowNanos())).isTrue();
    }

    @Test
    @DisplayName("approximate: its worst case is twice the limit in one sliding window, never more")
    void approximateWorstCase() {
        SlidingWindowCounters counters = new SlidingWindowCounters();
        long w0 = 0;
        assertThat(counters.tryAcquire(w0 + 999 * MS, APPROXIMATE, 10).granted())
                .isTrue();
        int admitted = 0;
        for (long t = 1_000; t < 1_999; t++) {
            if (counters.tryAcquire(t * MS, APPROXIMATE, 1).granted()) {
                admitted++;
            }
        }
        assertThat(10 + admitted)
                .as("in the sliding window (999ms, 1999ms]")
                .isGreaterThan(10)
                .isLessThanOrEqualTo(20);
    }
}
