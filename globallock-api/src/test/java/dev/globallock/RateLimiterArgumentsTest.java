/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bad input to a rate limiter is a programming error, reported before anything is sent: permits
 * below 1, a window outside 1ms to 365d, a request for more permits than the limiter ever admits
 * (it could never succeed, so it is an error rather than a false that a caller would retry
 * forever), a negative wait; names follow the lock names' rules and messages.
 */
class RateLimiterArgumentsTest {
    private static GlobalLockManager manager() {
        return GlobalLockManager.create(Map.of("engine", "memory", "key-prefix", "args:"));
    }

    @Test
    @DisplayName("permits below 1 and windows outside 1ms..365d are refused with the value and the limiter named")
    void limitsAreChecked() {
        try (GlobalLockManager locks = manager()) {
            assertThatThrownBy(() -> locks.rateLimiter("api", 0, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("permits of rate limiter 'api' was '0' but it must be at least 1");
            assertThatThrownBy(() -> locks.rateLimiter("api", -3, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("permits of rate limiter 'api' was '-3' but it must be at least 1");
            assertThatThrownBy(() -> locks.rateLimiter("api", 5, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("window of rate limiter 'api' was '0ms' but it must be between 1ms and 365d");
            assertThatThrownBy(() -> locks.rateLimiter("api", 5, Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("window of rate limiter 'api' was '-1s' but it must be between 1ms and 365d");
            assertThatThrownBy(() -> locks.rateLimiter("api", 5, Duration.ofNanos(999_999)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be between 1ms and 365d");
            assertThatThrownBy(() -> locks.rateLimiter("api", 5, Duration.ofDays(366)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("window of rate limiter 'api' was '366d' but it must be between 1ms and 365d");
            assertThatThrownBy(() -> locks.rateLimiter("api", 5, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> locks.rateLimiter("api", 5, Duration.ofSeconds(1), null))
                    .isInstanceOf(NullPointerException.class);
            assertThat(locks.rateLimiter("api", 1, Duration.ofMillis(1)).window())
                    .isEqualTo(Duration.ofMillis(1));
            assertThat(locks.rateLimiter("api", Integer.MAX_VALUE, Duration.ofDays(365))
                            .permitsPerWindow())
                    .isEqualTo(Integer.MAX_VALUE);
        }
    }

    @Test
    @DisplayName(
            "asking for 0, a negative number or more permits than the limit is refused at once; so is a negative wait")
    void requestsAreChecked() {
        try (GlobalLockManager locks = manager()) {
            RateLimiter limiter = locks.rateLimiter("api", 3, Duration.ofSeconds(1));
            assertThatThrownBy(() -> limiter.tryAcquire(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("permits was '0' but rate limiter 'api' can only be asked for at least 1");
            assertThatThrownBy(() -> limiter.tryAcquire(-1, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.tryAcquire(4))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("permits was '4' but rate limiter 'api' admits at most 3 per 1s, so the request"
                            + " could never succeed");
            assertThatThrownBy(() -> limiter.tryAcquireAsync(4, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.timeUntilAvailable(4)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.tryAcquire(1, Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("wait was '-1ms' but it must not be negative (rate limiter 'api')");
            assertThatThrownBy(() -> limiter.tryAcquire(1, null)).isInstanceOf(NullPointerException.class);
            assertThat(limiter.availablePermits())
                    .as("nothing was taken by the refused calls")
                    .isEqualTo(3);
            assertThat(limiter.tryAcquire(3)).isTrue();
        }
    }

    @Test
    @DisplayName("names are validated and prefixed as lock names are, with the same messages")
    void namesAsForLocks() {
        try (GlobalLockManager locks = manager()) {
            assertThatThrownBy(() -> locks.rateLimiter(" ", 1, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("lock name must not be empty or blank but was ' '");
            assertThatThrownBy(() -> locks.rateLimiter("a\nb", 1, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("contains the control character U+000A at index 1");
            assertThatThrownBy(() -> locks.rateLimiter(null, 1, Duration.ofSeconds(1)))
                    .isInstanceOf(NullPointerException.class);
            RateLimiter limiter = locks.rateLimiter("api", 1, Duration.ofSeconds(1));
            assertThat(limiter.name()).isEqualTo("api");
            assertThat(limiter.algorithm()).isEqualTo(RateLimiter.Algorithm.EXACT);
            assertThat(limiter.toString()).contains("rate limiter 'api' (1 per 1s, exact)");
        }
    }

    @Test
    @DisplayName("the key prefix separates limiters: same name, other prefix, other count")
    void thePrefixSeparatesLimiters() {
        try (GlobalLockManager one = manager();
                GlobalLockManager other =
                        GlobalLockManager.create(Map.of("engine", "memory", "key-prefix", "other-args:"))) {
            assertThat(one.rateLimiter("shared", 1, Duration.ofMinutes(1)).tryAcquire())
                    .isTrue();
            assertThat(one.rateLimiter("shared", 1, Duration.ofMinutes(1)).tryAcquire())
                    .as("same prefix: the one permit is gone")
                    .isFalse();
            assertThat(other.rateLimiter("shared", 1, Duration.ofMinutes(1)).tryAcquire())
                    .as("another prefix is another limiter")
                    .isTrue();
        }
    }

    @Test
    @DisplayName("a closed manager refuses new limiters and calls on old ones")
    void closedManager() {
        GlobalLockManager locks = manager();
        RateLimiter limiter = locks.rateLimiter("closing", 1, Duration.ofSeconds(1));
        locks.close();
        assertThatThrownBy(limiter::tryAcquire)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the memory lock manager is closed (rate limiter 'closing')");
        assertThatThrownBy(() -> limiter.tryAcquireAsync(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> locks.rateLimiter("closing", 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class);
    }
}
