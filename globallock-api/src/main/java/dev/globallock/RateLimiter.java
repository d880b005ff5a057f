/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A distributed rate limiter: at most {@link #permitsPerWindow()} permits are taken in any window of
 * {@link #window()}, counted over every manager on the same backend and key prefix that uses the
 * same name. Get one from {@link GlobalLockManager#rateLimiter(String, int, Duration)}:
 *
 * <pre>{@code
 * RateLimiter calls = locks.rateLimiter("partner-api", 100, Duration.ofSeconds(1));
 * if (calls.tryAcquire()) {
 *     partner.call();
 * }
 * }</pre>
 *
 * <p>A permit taken is never given back: a rate limiter counts acquisitions, it does not hold
 * anything. Every user of one name should pass the same permits and window: the backend keeps one
 * record per name and algorithm, and each call judges it by the limit it was given.
 *
 * <p>Windows slide: with {@link Algorithm#EXACT} a permit taken at time t counts until t + window
 * (by the backend's clock: Redis's {@code TIME}, the host's clock for the {@code file} engine), so
 * permits come back one by one as their window passes, not all at a window boundary. See {@link
 * Algorithm} for the approximate variant.
 *
 * <p>Blocking: {@link #tryAcquire(int, Duration)} waits without polling: the backend says when the
 * permits will fit, the call sleeps until then and tries once more, and gives up at once when that
 * moment lies beyond its wait. Each backend call is bounded by the manager's {@code
 * operation-timeout}, so a call returns within its wait plus, at worst, one backend call. A thread
 * whose interrupt flag is set, or that is interrupted while it waits, gets {@link
 * LockInterruptedException} with the flag set.
 *
 * <p>Errors: {@link IllegalArgumentException} for permits below 1 or above {@link
 * #permitsPerWindow()} (such a request could never succeed) and for a negative wait; {@link
 * LockBackendException} when the backend fails or does not answer; {@link IllegalStateException}
 * once the manager is closed. Thread-safe; cheap to create (it holds no connection of its own).
 */
public interface RateLimiter {
    /** How a limiter counts the permits of the last window. */
    enum Algorithm {
        /**
         * A log of the times permits were taken; a request is granted when fewer than {@code permits}
         * entries are younger than the window. Exact; memory O(permits) per limiter on the backend
         * (an idle limiter costs nothing: its entries expire with the window).
         */
        EXACT,
        /**
         * Two fixed-window counters, the previous window's weighted by how much of it the sliding
         * window still covers. Memory O(1) per limiter, for limits in the thousands and more; the
         * count assumes the previous window's permits were spread evenly, so a burst at the end of one
         * fixed window followed by another at the start of the next can admit up to twice the limit in
         * one sliding window (and it may refuse a little early after a burst).
         */
        APPROXIMATE
    }

    /** The limiter's name as the application gave it (without the key prefix). */
    String name();

    /** The most permits taken in any window. */
    int permitsPerWindow();

    /** The length of the sliding window. */
    Duration window();

    /** How the limiter counts. */
    Algorithm algorithm();

    /** {@link #tryAcquire(int)} of one permit. */
    default boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits} if they fit in the window now; one backend call, atomic (all or none).
     *
     * @return whether they were taken
     * @throws IllegalArgumentException if {@code permits} is below 1 or above {@link #permitsPerWindow()}
     * @throws LockInterruptedException if the thread's interrupt flag is set (nothing is sent) or it
     *     is interrupted meanwhile (the flag is set again)
     * @throws LockBackendException when the backend fails or does not answer within the operation timeout
     */
    boolean tryAcquire(int permits);

    /**
     * Takes {@code permits}, waiting up to {@code wait} for them to fit: when they do not, the
     * backend says when they will, and the call sleeps until then and tries again (another client
     * may take them first; then it waits for the next such moment). Returns false at once when that
     * moment is further away than what is left of the wait. A zero wait is one attempt.
     *
     * @return whether they were taken
     * @throws IllegalArgumentException if {@code permits} is below 1 or above {@link
     *     #permitsPerWindow()}, or the wait is negative
     * @throws LockInterruptedException when interrupted (the flag is set again), or at once, with
     *     nothing sent, when the interrupt flag was already set
     * @throws LockBackendException when the backend fails or does not answer within the operation timeout
     * @throws IllegalStateException when the manager is closed, also while the call sleeps
     */
    boolean tryAcquire(int permits, Duration wait);

    /**
     * {@link #tryAcquire(int, Duration)} without blocking the caller: sleeps are timers on the
     * manager's scheduler and backend calls run on the engine's threads. The future completes with
     * whether the permits were taken, or exceptionally as the blocking call would throw; closing the
     * manager completes it with {@link IllegalStateException}. Cancelling it abandons the wait. The
     * interrupt flag is not looked at.
     *
     * @throws IllegalArgumentException at once for bad arguments, as the blocking call
     * @throws IllegalStateException at once when the manager is closed
     */
    CompletableFuture<Boolean> tryAcquireAsync(int permits, Duration wait);

    /**
     * How many permits could be taken now (0 when none), without taking any; one backend call. Only
     * a snapshot: other clients may take them a moment later.
     */
    long availablePermits();

    /**
     * How long until {@code permits} would fit, without taking any: {@link Duration#ZERO} when they
     * fit now. One backend call; assumes nobody else takes permits meanwhile.
     *
     * @throws IllegalArgumentException if {@code permits} is below 1 or above {@link #permitsPerWindow()}
     */
    Duration timeUntilAvailable(int permits);
}
