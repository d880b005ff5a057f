/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import java.util.Arrays;

/**
 * The exact sliding window of a rate limiter kept in the engine's own memory or files (the memory
 * and file engines; the Redis engine runs the same steps in a script): the times permits were taken,
 * oldest first. A permit taken at t counts while {@code now - window < t}. Memory is one {@code long}
 * per permit still in the window, so at most {@code permits} of them.
 *
 * <p>Times are in nanoseconds on whatever clock the engine chooses, as long as every client of the
 * limiter reads the same one. A time later than {@code now} (the clock was set back) is taken as
 * {@code now}: a clock that steps back holds permits at most one window longer, and never lets
 * more through. Not thread-safe: the engine guards each log.
 */
public final class SlidingWindowLog {
    /** A ring buffer of times, oldest at {@code head}. */
    private long[] times;

    private int head;
    private int size;

    /** An empty log. */
    public SlidingWindowLog() {
        this.times = new long[4];
    }

    /** A log of these times, oldest first (as {@link #toArray()} gave them). */
    public static SlidingWindowLog of(long[] oldestFirst) {
        SlidingWindowLog log = new SlidingWindowLog();
        log.times = Arrays.copyOf(oldestFirst, Math.max(4, oldestFirst.length));
        log.size = oldestFirst.length;
        return log;
    }

    /** The times in the log, oldest first. */
    public long[] toArray() {
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = at(i);
        }
        return out;
    }

    /** Whether nothing is left in the log (after the last call's trimming): the limiter may be forgotten. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Takes {@code permits} at {@code now} if they fit in the window. */
    public RateLimitState tryAcquire(long now, RateLimit limit, int permits) {
        trim(now, limit.windowNanos());
        if (size + (long) permits <= limit.permits()) {
            for (int i = 0; i < permits; i++) {
                append(now);
            }
            return RateLimitState.granted(limit.permits() - (long) size);
        }
        return RateLimitState.notGranted(limit.permits() - (long) size, waitFor(now, limit, permits));
    }

    /** The free permits and when {@code permits} would fit, taking nothing. */
    public RateLimitState inspect(long now, RateLimit limit, int permits) {
        trim(now, limit.windowNanos());
        long wait = size + (long) permits <= limit.permits() ? 0 : waitFor(now, limit, permits);
        return RateLimitState.notGranted(limit.permits() - (long) size, wait);
    }

    /**
     * When {@code permits} fit: once the entry at index {@code size + permits - limit - 1} (the
     * last of those that must leave) is a window old.
     */
    private long waitFor(long now, RateLimit limit, int permits) {
        int leaving = (int) (size + (long) permits - limit.permits()) - 1;
        return Math.max(1, at(leaving) + limit.windowNanos() - now);
    }

    private void trim(long now, long window) {
        while (size > 0 && now - at(0) >= window) {
            head = (head + 1) % times.length;
            size--;
        }
        // a clock that went back: what it stamped "later" counts from now
        for (int i = size - 1; i >= 0 && at(i) > now; i--) {
            times[(head + i) % times.length] = now;
        }
    }

    private long at(int i) {
        return times[(head + i) % times.length];
    }

    private void append(long time) {
        if (size == times.length) {
            long[] grown = new long[times.length * 2];
            for (int i = 0; i < size; i++) {
                grown[i] = at(i);
            }
            times = grown;
            head = 0;
        }
        times[(head + size) % times.length] = time;
        size++;
    }

    @Override
    public String toString() {
        return "SlidingWindowLog{" + size + " entries}";
    }
}
