/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import dev.globallock.Durations;
import dev.globallock.RateLimiter;
import java.time.Duration;
import java.util.Objects;

/**
 * One rate limiter as the manager hands it to its engine: its name (for messages), its key (the key
 * prefix plus the name, validated like a lock's), the permits per window, the window and the
 * algorithm. Engines keep one record per key and algorithm. Immutable and thread-safe.
 */
public final class RateLimit {
    private final String name;
    private final String key;
    private final int permits;
    private final Duration window;
    private final long windowNanos;
    private final RateLimiter.Algorithm algorithm;

    private RateLimit(String name, String key, int permits, Duration window, RateLimiter.Algorithm algorithm) {
        this.name = name;
        this.key = key;
        this.permits = permits;
        this.window = window;
        this.windowNanos = window.toNanos();
        this.algorithm = algorithm;
    }

    /**
     * @throws IllegalArgumentException if {@code permits} is below 1 or the window is not positive
     */
    public static RateLimit of(String name, String key, int permits, Duration window, RateLimiter.Algorithm algorithm) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(algorithm, "algorithm");
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1 but was " + permits);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive but was " + window);
        }
        return new RateLimit(name, key, permits, window, algorithm);
    }

    /** The limiter's name as the application gave it: for messages. */
    public String name() {
        return name;
    }

    /** The backend key: the key prefix plus the name. */
    public String key() {
        return key;
    }

    /** The most permits in any window. */
    public int permits() {
        return permits;
    }

    public Duration window() {
        return window;
    }

    /** {@link #window()} in nanoseconds. */
    public long windowNanos() {
        return windowNanos;
    }

    public RateLimiter.Algorithm algorithm() {
        return algorithm;
    }

    /**
     * What one call on this limiter is about, for an engine's messages: {@code 3 permit(s) of rate
     * limiter 'name'} for a call that takes permits ({@code take}), {@code rate limiter 'name'} for one
     * that only reads.
     */
    public String describe(int permits, boolean take) {
        return take ? permits + " permit(s) of " + describe(name) : describe(name);
    }

    /** {@code rate limiter 'name'}: how every message names a limiter. */
    public static String describe(String name) {
        return "rate limiter '" + name + "'";
    }

    @Override
    public String toString() {
        return describe(name) + " (" + permits + " per " + Durations.format(window) + ", "
                + algorithm.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
