/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockBackendException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a failed acquisition attempt is judged. A single attempt (wait time zero) fails at once with
 * the error, and so does an attempt the server refused its database, and a first attempt whose
 * error will not pass by waiting (a refused password or script; a Redlock round without a
 * majority) or that finds the backend down before this engine ever reached it (most likely a
 * wrong address: said at once, even to an unbounded wait). Otherwise the failure is taken for a
 * passing one (a failover, a restart, slots moving, see {@link Errors#passing}): the waiter tries
 * again after a backoff (25 ms doubling to 500 ms, with jitter) until its wait ends (the manager
 * then reports the backend unreachable with {@link #problem()}) or the failures have lasted
 * {@code failover-timeout}.
 *
 * <p>Also keeps the connection failure of the last attempt, until an attempt gets an answer.
 * Thread-safe; a waiter's counters are only touched by its own attempts, which run one after
 * another.
 */
final class RideThrough {
    private static final long MIN_BACKOFF_MILLIS = 25;
    private static final long MAX_BACKOFF_MILLIS = 500;

    private final long failoverTimeoutNanos;
    /**
     * The connection failure of the last acquisition attempt, until an attempt gets an answer: what
     * {@link #problem()} reports. Read after every answered attempt, written only on failures.
     * Until the first answer it is a {@link NeverAnswered} (wrapping the failure, if any):
     * connection failures are taken for a passing outage (a failover) only once the backend was
     * reached.
     */
    private volatile RuntimeException attemptFailure = new NeverAnswered(null);

    RideThrough(Duration failoverTimeout) {
        this.failoverTimeoutNanos = failoverTimeout.toNanos();
    }

    /** An attempt got an answer: the last failure is over. */
    void answered() {
        if (attemptFailure != null) {
            attemptFailure = null;
        }
    }

    /**
     * Records an attempt's failure.
     *
     * @return whether a wait may ride it out: it passes, and the backend was reached before
     */
    boolean failed(RuntimeException error) {
        boolean passing = Errors.passing(error);
        boolean reached = !(attemptFailure instanceof NeverAnswered);
        if (passing || Errors.unreachable(error)) {
            attemptFailure = reached ? error : new NeverAnswered(error);
        }
        return passing && reached;
    }

    /**
     * Whether the waiter's wait ends with this failure; otherwise its failures are timed from the
     * first one. Called by the waiter's attempt.
     *
     * @param ridable what {@link #failed} said of the error
     */
    boolean endsWait(Waiter waiter, RuntimeException error, boolean ridable, long nowNanos) {
        boolean first = waiter.channel == null && waiter.failures == 0;
        if (waiter.request.singleAttempt() || Errors.databaseRefused(error) != null || (first && !ridable)) {
            return true;
        }
        if (waiter.failingSinceNanos == 0) {
            waiter.failingSinceNanos = nowNanos;
        }
        return nowNanos - waiter.failingSinceNanos > failoverTimeoutNanos;
    }

    /** The pause before the waiter's next attempt, with jitter; counts the failure. */
    static long backoffMillis(Waiter waiter) {
        long backoff = backoffMillis(waiter.failures++);
        return backoff + ThreadLocalRandom.current().nextLong(1 + backoff / 4);
    }

    /** The waiter's attempt was answered: its failures are over. */
    static void reset(Waiter waiter) {
        waiter.failingSinceNanos = 0;
        waiter.failures = 0;
    }

    /** 25 ms doubling to 500 ms: the pause after a failure that had {@code failuresBefore} before it. */
    static long backoffMillis(int failuresBefore) {
        return Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(5, failuresBefore));
    }

    /** The connection failure of the last attempt, while no attempt got an answer since. */
    Optional<LockBackendException> problem() {
        RuntimeException failure = attemptFailure;
        if (failure instanceof NeverAnswered) {
            failure = (RuntimeException) failure.getCause();
        }
        return failure == null
                ? Optional.empty()
                : Optional.of(new LockBackendException(Errors.describe(failure), failure));
    }

    /** {@link #attemptFailure} before any attempt was answered: the failure since, if any, is its cause. */
    private static final class NeverAnswered extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeverAnswered(RuntimeException failure) {
            super(null, failure, false, false);
        }
    }
}
