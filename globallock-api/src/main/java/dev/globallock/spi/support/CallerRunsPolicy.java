/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How an engine's {@link CallerRunsFuture}s run their work; immutable, one per engine.
 *
 * <ul>
 *   <li>Where work nobody waits for runs: the engine's I/O pool, or {@link #callingThread()} for an
 *       engine whose tasks never block (they only start asynchronous calls).
 *   <li>The bounded {@code get}: the caller runs the first task inline if the bound leaves room for
 *       one task ({@link #inlineBound}); with {@link #interruptAtDeadline} the task is interrupted
 *       when the bound passes (for clients whose blocking calls end only by an interrupt).
 *   <li>Where {@link CallerRunsFuture#deliver} completes a future nobody waits on ({@link #deliverOn}).
 * </ul>
 */
public final class CallerRunsPolicy {
    final Executor executor;
    final long inlineBoundNanos;
    final boolean interruptAtDeadline;
    final Executor completions;

    private CallerRunsPolicy(
            Executor executor, long inlineBoundNanos, boolean interruptAtDeadline, Executor completions) {
        this.executor = executor;
        this.inlineBoundNanos = inlineBoundNanos;
        this.interruptAtDeadline = interruptAtDeadline;
        this.completions = completions;
    }

    /** A policy that runs work nobody waits for on {@code executor}; no inline bound, no deliveries elsewhere. */
    public static CallerRunsPolicy of(Executor executor) {
        return new CallerRunsPolicy(Objects.requireNonNull(executor, "executor"), 0, false, null);
    }

    /**
     * The executor that runs a task at once on the thread that hands it over; never shut down, it
     * owns no thread. For engines whose tasks only start asynchronous calls, and for client
     * libraries that would otherwise hand every call to a pool before writing it (jetcd).
     */
    public static ExecutorService callingThread() {
        return CallingThread.INSTANCE;
    }

    /**
     * The longest one task can take (for example the connect plus the command timeout): a bounded
     * {@code get} shorter than it hands the first task to the executor, and a later task goes to a
     * waiting caller only if it has that much time left. Zero by default.
     */
    public CallerRunsPolicy inlineBound(Duration bound) {
        Objects.requireNonNull(bound, "bound");
        if (bound.isNegative()) {
            throw new IllegalArgumentException("inline bound must not be negative but was " + bound);
        }
        return new CallerRunsPolicy(executor, bound.toNanos(), interruptAtDeadline, completions);
    }

    /**
     * A task a caller runs inline under a bounded {@code get} is interrupted when the bound passes
     * (the interrupt is cleared again when the task returns); for blocking calls that only an
     * interrupt cuts short.
     */
    public CallerRunsPolicy interruptAtDeadline() {
        return new CallerRunsPolicy(executor, inlineBoundNanos, true, completions);
    }

    /**
     * Where {@link CallerRunsFuture#deliver} completes a future nobody waits on, so that its
     * dependents (the application's code) never run on the client library's event thread;
     * typically {@link CallbackPool#shared()}.
     */
    public CallerRunsPolicy deliverOn(Executor completions) {
        return new CallerRunsPolicy(
                executor, inlineBoundNanos, interruptAtDeadline, Objects.requireNonNull(completions, "completions"));
    }

    @Override
    public String toString() {
        return "CallerRunsPolicy{executor=" + executor + ", inlineBound=" + Duration.ofNanos(inlineBoundNanos)
                + (interruptAtDeadline ? ", interrupt at deadline" : "")
                + (completions != null ? ", deliver on " + completions : "") + "}";
    }

    /** Runs every task at once on the thread that hands it over. */
    private static final class CallingThread extends AbstractExecutorService {
        static final CallingThread INSTANCE = new CallingThread();

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {}

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    }
}
