/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Ticker;
import dev.globallock.spi.EngineContext;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the engine's time and timers come from, and whether it still runs: the manager's clock and
 * scheduler, given when the engine starts, its periodic tick, and the engine's closed and abandoned
 * states. Thread-safe; never blocks.
 */
final class EtcdRuntime {
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean abandoned;
    private volatile ScheduledExecutorService scheduler;
    private volatile Ticker ticker = Ticker.system();
    private volatile ScheduledFuture<?> ticks;

    /** Takes the manager's clock and scheduler, and runs {@code tick} every {@code periodNanos} on it. */
    void start(EngineContext context, Runnable tick, long periodNanos) {
        this.scheduler = context.scheduler();
        this.ticker = context.ticker();
        this.ticks = scheduler.scheduleAtFixedRate(tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    boolean started() {
        return scheduler != null;
    }

    /** The manager's monotonic clock, in nanoseconds. */
    long now() {
        return ticker.read();
    }

    Ticker ticker() {
        return ticker;
    }

    /** The manager's scheduler, or null before the engine started. */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Runs a step later on the manager's scheduler; nothing once the manager shuts down. */
    void schedule(Runnable step, long delayNanos) {
        ScheduledExecutorService timers = scheduler;
        if (timers == null || timers.isShutdown()) {
            return;
        }
        try {
            timers.schedule(step, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the manager is shutting down
        }
    }

    /** Whether a failed request may be tried again later: not abandoned, and the scheduler runs. */
    boolean canRetry() {
        ScheduledExecutorService timers = scheduler;
        return !abandoned && timers != null && !timers.isShutdown();
    }

    /** Marks the engine closed; true the first time. */
    boolean close() {
        return closed.compareAndSet(false, true);
    }

    void abandon() {
        abandoned = true;
    }

    boolean abandoned() {
        return abandoned;
    }

    /** Closed or abandoned: no new work. */
    boolean stopped() {
        return closed.get() || abandoned;
    }

    /** Why the engine does no new work, as {@code is closed} or {@code is abandoned}. */
    String stoppedState() {
        return abandoned ? "is abandoned" : "is closed";
    }

    void stopTicks() {
        ScheduledFuture<?> task = ticks;
        if (task != null) {
            task.cancel(false);
        }
    }
}
