/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import java.time.Duration;

/**
 * What an engine's rate limiter found at one instant, by its backend's clock: whether the permits
 * asked for were taken (always false for a read), how many permits are free, and how long until the
 * permits asked for would fit if nobody else took any. Immutable.
 */
public final class RateLimitState {
    private final boolean granted;
    private final long available;
    private final long nanosUntilAvailable;

    private RateLimitState(boolean granted, long available, long nanosUntilAvailable) {
        this.granted = granted;
        this.available = Math.max(0, available);
        this.nanosUntilAvailable = Math.max(0, nanosUntilAvailable);
    }

    /** The permits were taken; {@code availableAfter} are still free. */
    public static RateLimitState granted(long availableAfter) {
        return new RateLimitState(true, availableAfter, 0);
    }

    /**
     * Not taken (or a read): {@code available} are free, and the permits asked for fit in {@code
     * nanosUntilAvailable} (zero: now). An engine that refuses must say a positive time.
     */
    public static RateLimitState notGranted(long available, long nanosUntilAvailable) {
        return new RateLimitState(false, available, nanosUntilAvailable);
    }

    /** Whether the permits asked for were taken. */
    public boolean granted() {
        return granted;
    }

    /** How many permits were free (after a grant: still free); never negative. */
    public long available() {
        return available;
    }

    /** How long until the permits asked for fit; zero when granted or when they fit now. */
    public long nanosUntilAvailable() {
        return nanosUntilAvailable;
    }

    /** {@link #nanosUntilAvailable()} as a duration. */
    public Duration timeUntilAvailable() {
        return Duration.ofNanos(nanosUntilAvailable);
    }

    @Override
    public String toString() {
        return (granted ? "granted" : "not granted") + ", available " + available
                + (nanosUntilAvailable > 0 ? ", fits in " + timeUntilAvailable() : "");
    }
}
