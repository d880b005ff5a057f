/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.EngineErrors;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The manager's side of one rate limiter: argument checks, the waits (sleep for the time the engine
 * reports, then ask again; never a fixed polling interval), interrupts, the operation timeout and
 * error translation. The engine's {@link RateLimiterEngine} makes each attempt. Thread-safe.
 *
 * <p>It remembers the latest refusal ({@link KnownRefusal}): until the refused permits could fit at
 * the earliest, an attempt for as many or more that could not wait that long is refused here, with no
 * round trip. Reads always ask the engine.
 */
final class ManagedRateLimiter implements RateLimiter {
    /** Slept when an engine refuses without saying for how long (it should not): never a busy loop. */
    private static final long UNKNOWN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final RateLimiters limiters;
    private final RateLimiterEngine engine;
    private final RateLimit limit;
    private final String described;
    private final Ticker ticker;
    private final long operationTimeoutNanos;
    /** The longest interval a refusal is remembered for, whatever the engine said: two windows. */
    private final long maxRefusalNanos;
    /** The latest refusal the engine gave this handle, or null (after a grant it contradicted). */
    private volatile KnownRefusal refusal;

    ManagedRateLimiter(RateLimiters limiters, RateLimiterEngine engine, RateLimit limit) {
        this.limiters = limiters;
        this.engine = engine;
        this.limit = limit;
        this.described = RateLimit.describe(limit.name());
        this.ticker = limiters.manager.ticker;
        this.operationTimeoutNanos = limiters.manager.settings.operationTimeout.toNanos();
        this.maxRefusalNanos = 2 * limit.windowNanos();
    }

    @Override
    public String name() {
        return limit.name();
    }

    @Override
    public int permitsPerWindow() {
        return limit.permits();
    }

    @Override
    public Duration window() {
        return limit.window();
    }

    @Override
    public Algorithm algorithm() {
        return limit.algorithm();
    }

    // ------------------------------------------------------------------------------ blocking

    @Override
    public boolean tryAcquire(int permits) {
        return tryAcquire(permits, Duration.ZERO);
    }

    @Override
    public boolean tryAcquire(int permits, Duration wait) {
        checkPermits(permits);
        long waitNanos = checkWait(wait);
        Thread thread = Thread.currentThread();
        if (thread.isInterrupted()) {
            throw new LockInterruptedException("thread '" + thread.getName() + "' was interrupted before it asked "
                    + described + " for " + permits + " permit(s) (its interrupt flag was set, and is kept):"
                    + " nothing was sent to " + limiters.errors.engine());
        }
        long start = ticker.read();
        long sent = start;
        while (true) {
            if (KnownRefusal.refuses(refusal, permits, sent, waitNanos - (sent - start))) {
                return false; // known not to fit within the wait: no round trip
            }
            RateLimitState state = await(send(permits, true), permits, true);
            if (state.granted()) {
                granted(permits);
                return true;
            }
            refused(permits, sent, state);
            long sleep = sleepFor(state);
            if (sleep > waitNanos - (ticker.read() - start)) {
                return false; // the permits do not fit within the wait: say so now, not at its end
            }
            sleep(sleep);
            sent = ticker.read();
        }
    }

    /** Remembers a refusal of {@code permits} sent at {@code sent} (this manager's ticker). */
    private void refused(int permits, long sent, RateLimitState state) {
        long wait = state.nanosUntilAvailable();
        if (wait > 0) {
            refusal = KnownRefusal.of(permits, sent, Math.min(wait, maxRefusalNanos));
        }
    }

    /**
     * A grant the remembered refusal said could not happen yet (the backend forgot permits: a restart,
     * a failover, a clock step): forget it.
     */
    private void granted(int permits) {
        KnownRefusal known = refusal;
        if (known != null && permits >= known.permits) {
            refusal = null;
        }
    }

    @Override
    public long availablePermits() {
        return await(send(1, false), 1, false).available();
    }

    @Override
    public Duration timeUntilAvailable(int permits) {
        checkPermits(permits);
        return await(send(permits, false), permits, false).timeUntilAvailable();
    }

    /** Sleeps until the permits should fit; woken early only by the manager's close. */
    private void sleep(long nanos) {
        try {
            limiters.closed.get(nanos, TimeUnit.NANOSECONDS);
            throw limiters.closedError(described);
        } catch (TimeoutException e) {
            // slept: try again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never: the signal only completes normally
        }
    }

    /** One engine call, waited for on this thread (where the engine may run its I/O), bounded by the operation timeout. */
    private RateLimitState await(CompletableFuture<RateLimitState> future, int permits, boolean take) {
        try {
            return Objects.requireNonNull(future.get(operationTimeoutNanos, TimeUnit.NANOSECONDS), "engine answer");
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw interrupted(e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), permits, take);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw notAnswered(permits, take);
        } catch (CancellationException e) {
            throw limiters.closedError(described);
        }
    }

    private CompletableFuture<RateLimitState> send(int permits, boolean take) {
        if (limiters.isClosed()) {
            throw limiters.closedError(described);
        }
        try {
            return Objects.requireNonNull(
                    take ? engine.tryAcquire(limit, permits) : engine.inspect(limit, permits),
                    "engine returned no future");
        } catch (RuntimeException e) {
            throw translate(e, permits, take);
        }
    }

    // ------------------------------------------------------------------------------ asynchronous

    @Override
    public CompletableFuture<Boolean> tryAcquireAsync(int permits, Duration wait) {
        checkPermits(permits);
        long waitNanos = checkWait(wait);
        if (limiters.isClosed()) {
            throw limiters.closedError(described);
        }
        AsyncWait waiting = new AsyncWait(permits, waitNanos);
        limiters.pending.put(waiting.result, limit.name());
        waiting.result.whenComplete((taken, failure) -> waiting.settled());
        if (limiters.isClosed()) {
            waiting.result.completeExceptionally(limiters.closedError(described));
        }
        waiting.attempt();
        return waiting.result;
    }

    /** One asynchronous wait: attempts sent to the engine, sleeps as timers on the manager's scheduler. */
    private final class AsyncWait {
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        final int permits;
        final long waitNanos;
        final long start = ticker.read();
        /** The engine's future of the attempt in flight, or null. */
        volatile CompletableFuture<RateLimitState> inFlight;
        /** The sleep or the attempt's timeout timer, or null. */
        volatile ScheduledFuture<?> timer;
        /** When the latest attempt was sent (the ticker's time). */
        volatile long sent;

        AsyncWait(int permits, long waitNanos) {
            this.permits = permits;
            this.waitNanos = waitNanos;
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            long now = ticker.read();
            if (KnownRefusal.refuses(refusal, permits, now, waitNanos - (now - start))) {
                result.complete(false); // known not to fit within the wait: no round trip
                return;
            }
            sent = now;
            CompletableFuture<RateLimitState> attempt;
            try {
                attempt = send(permits, true);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            inFlight = attempt;
            schedule(
                    () -> {
                        if (!attempt.isDone() && result.completeExceptionally(notAnswered(permits, true))) {
                            attempt.cancel(false);
                        }
                    },
                    operationTimeoutNanos);
            CallerRunsFuture.dispatch(attempt); // nobody blocks on it: the engine's work starts now
            attempt.whenComplete(this::answered);
        }

        private void answered(RateLimitState state, Throwable failure) {
            inFlight = null;
            cancelTimer();
            if (result.isDone()) {
                return;
            }
            if (failure != null) {
                result.completeExceptionally(
                        EngineErrors.unwrap(failure) instanceof CancellationException
                                ? limiters.closedError(described)
                                : translate(failure, permits, true));
                return;
            }
            if (state.granted()) {
                granted(permits);
                result.complete(true);
                return;
            }
            refused(permits, sent, state);
            long sleep = sleepFor(state);
            if (sleep > waitNanos - (ticker.read() - start)) {
                result.complete(false);
                return;
            }
            // the next attempt runs on the shared callback pool, never on the manager's scheduler
            // (an engine may answer on the calling thread, and the application's stages run there)
            schedule(() -> CallbackPool.shared().execute(this::attempt), sleep);
        }

        private void schedule(Runnable task, long nanos) {
            try {
                timer = limiters.manager.scheduler.schedule(task, nanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(limiters.closedError(described));
            }
        }

        private void cancelTimer() {
            ScheduledFuture<?> current = timer;
            if (current != null) {
                current.cancel(false);
            }
        }

        /** The result is done (taken, refused, failed, cancelled by the caller or ended by close). */
        void settled() {
            limiters.pending.remove(result);
            cancelTimer();
            CompletableFuture<RateLimitState> current = inFlight;
            if (current != null && result.isCancelled()) {
                current.cancel(false);
            }
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private void checkPermits(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException(
                    "permits was '" + permits + "' but " + described + " can only be asked for at least 1");
        }
        if (permits > limit.permits()) {
            throw new IllegalArgumentException("permits was '" + permits + "' but " + described + " admits at most "
                    + limit.permits() + " per " + Durations.format(limit.window())
                    + ", so the request could never succeed");
        }
    }

    private long checkWait(Duration wait) {
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException(
                    "wait was '" + Durations.format(wait) + "' but it must not be negative (" + described + ")");
        }
        try {
            return wait.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long sleepFor(RateLimitState state) {
        long nanos = state.nanosUntilAvailable();
        return nanos > 0 ? nanos : UNKNOWN_WAIT_NANOS;
    }

    private LockInterruptedException interrupted(InterruptedException cause) {
        LockInterruptedException interrupted =
                new LockInterruptedException("interrupted while waiting for " + described);
        interrupted.initCause(cause);
        return interrupted;
    }

    private String what(int permits, boolean take) {
        return take ? permits + " permit(s) of " + described : described;
    }

    private RuntimeException translate(Throwable failure, int permits, boolean take) {
        Throwable cause = EngineErrors.unwrap(failure);
        if (cause instanceof LockBackendException) {
            return new LockBackendException(cause.getMessage(), cause); // the caller's stack
        }
        if (cause instanceof GlobalLockException || cause instanceof IllegalStateException) {
            return (RuntimeException) cause;
        }
        return limiters.errors.failed(take ? "take" : "read", what(permits, take), String.valueOf(cause), cause);
    }

    private LockBackendException notAnswered(int permits, boolean take) {
        return new LockBackendException(limiters.errors.say("did not answer " + (take ? "taking " : "reading ")
                + what(permits, take) + " within the operation timeout of "
                + Durations.format(limiters.manager.settings.operationTimeout)));
    }

    @Override
    public String toString() {
        return "RateLimiter{" + limit + ", engine=" + limiters.manager.engine.name() + "}";
    }
}
