/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;

/**
 * The approximate sliding window of a rate limiter kept in the engine's own memory or files (the
 * Redis engine runs the same steps in a script): the permits taken in the current fixed window
 * ({@code floor(now / window)}) and in the one before. The sliding window's count is the current
 * window's plus the previous window's weighted by the share of it the sliding window still covers,
 * {@code previous * (window - elapsed) / window}. Three numbers per limiter, whatever its limit.
 *
 * <p>Times are in nanoseconds on one clock all clients share. A time before the current window
 * (the clock was set back) counts as the current window's start. Not thread-safe: the engine
 * guards each instance.
 */
public final class SlidingWindowCounters {
    private long windowIndex;
    private long current;
    private long previous;

    /** Counters of a limiter nobody used yet. */
    public SlidingWindowCounters() {
        this(Long.MIN_VALUE, 0, 0);
    }

    /** Counters as {@link #windowIndex()}, {@link #current()} and {@link #previous()} gave them. */
    public SlidingWindowCounters(long windowIndex, long current, long previous) {
        this.windowIndex = windowIndex;
        this.current = current;
        this.previous = previous;
    }

    /** The fixed window {@link #current()} counts: {@code floor(time / window)}. */
    public long windowIndex() {
        return windowIndex;
    }

    /** Permits taken in the current fixed window. */
    public long current() {
        return current;
    }

    /** Permits taken in the fixed window before it. */
    public long previous() {
        return previous;
    }

    /** Whether both counted windows are over at {@code now}: the limiter may be forgotten. */
    public boolean isIdle(long now, long window) {
        return windowIndex == Long.MIN_VALUE || Math.floorDiv(now, window) - windowIndex > 1;
    }

    /** Takes {@code permits} at {@code now} if the weighted count leaves room for them. */
    public RateLimitState tryAcquire(long now, RateLimit limit, int permits) {
        long elapsed = advance(now, limit.windowNanos());
        double counted = counted(elapsed, limit.windowNanos());
        if (counted + permits <= limit.permits()) {
            current += permits;
            return RateLimitState.granted(free(limit, counted + permits));
        }
        return RateLimitState.notGranted(free(limit, counted), waitFor(elapsed, limit, permits));
    }

    /** The free permits and when {@code permits} would fit, taking nothing. */
    public RateLimitState inspect(long now, RateLimit limit, int permits) {
        long elapsed = advance(now, limit.windowNanos());
        double counted = counted(elapsed, limit.windowNanos());
        long wait = counted + permits <= limit.permits() ? 0 : waitFor(elapsed, limit, permits);
        return RateLimitState.notGranted(free(limit, counted), wait);
    }

    /** Moves the counters to the fixed window of {@code now}; returns the time elapsed in it. */
    private long advance(long now, long window) {
        long index = Math.floorDiv(now, window);
        if (index == windowIndex + 1) {
            previous = current;
            current = 0;
            windowIndex = index;
        } else if (index > windowIndex) {
            previous = 0;
            current = 0;
            windowIndex = index;
        } else if (index < windowIndex) {
            return 0; // the clock went back: count from the start of the window we are in
        }
        return now - Math.multiplyExact(windowIndex, window);
    }

    private double counted(long elapsed, long window) {
        return previous * ((double) (window - elapsed) / window) + current;
    }

    private static long free(RateLimit limit, double counted) {
        return (long) Math.floor(limit.permits() - counted);
    }

    /**
     * When {@code permits} would fit: within this fixed window once the previous window's weight
     * has fallen enough, else in the next one, once this window's count, then the previous one,
     * has.
     */
    private long waitFor(long elapsed, RateLimit limit, int permits) {
        long window = limit.windowNanos();
        double room = limit.permits() - permits; // what the weighted count may be
        long wait;
        if (current <= room) {
            // previous * (window - e) / window <= room - current
            double at = window * (1 - (room - current) / previous);
            wait = (long) Math.ceil(at) - elapsed;
        } else {
            // next window: current * (window - e') / window <= room
            double at = window * (1 - room / current);
            wait = window - elapsed + (long) Math.ceil(at);
        }
        return Math.max(1, wait);
    }

    @Override
    public String toString() {
        return "SlidingWindowCounters{window " + windowIndex + ": " + current + ", before: " + previous + "}";
    }
}
