/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.Ticker;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the engine's work runs, and its clock. Jedis calls block, so they never run on the
 * manager's scheduler: they run on the engine's I/O executor of {@code pool-size} daemon threads
 * (idle threads time out), or on the caller's own thread when it blocks on the returned future
 * anyway (saving two thread hand-offs on the uncontended path). Timers run on the manager's
 * scheduler and only hand work to the executor. Time is the manager's ticker once the engine is
 * started. Thread-safe.
 */
final class EngineThreads {
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();

    private final ThreadPoolExecutor io;
    /** How the engine's futures run their I/O: on the caller that waits, else on {@link #io}. */
    private final CallerRunsPolicy callerRuns;

    private volatile EngineContext context;

    EngineThreads(RedisEngineConfig config) {
        int id = ENGINE_IDS.incrementAndGet();
        AtomicInteger threadIds = new AtomicInteger();
        this.io = new ThreadPoolExecutor(
                config.poolSize(), config.poolSize(), 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread =
                            new Thread(runnable, "globallock-redis-" + id + "-io-" + threadIds.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.io.allowCoreThreadTimeOut(true);
        Duration oneCall = config.connectTimeout().plus(config.commandTimeout());
        this.callerRuns = CallerRunsPolicy.of(io)
                .inlineBound(config.mode() == RedisMode.REDLOCK ? oneCall.multipliedBy(2) : oneCall);
    }

    void start(EngineContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** Whether {@link #start} was called: the scheduler is there. */
    boolean started() {
        return context != null;
    }

    /** An engine future: its first task runs on the caller that waits for it, or on the executor once dispatched. */
    <T> CallerRunsFuture<T> future() {
        return new CallerRunsFuture<>(callerRuns);
    }

    /** The manager's ticker; the system's before the engine is started. */
    Ticker ticker() {
        EngineContext ctx = context;
        return ctx == null ? Ticker.system() : ctx.ticker();
    }

    /**
     * Runs {@code task} on the manager's scheduler after the delay.
     *
     * @throws IllegalStateException when the engine was not started
     * @throws RejectedExecutionException when the manager is closing
     */
    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        EngineContext ctx = context;
        if (ctx == null) {
            throw new IllegalStateException("the redis engine was not started: call start(EngineContext) first");
        }
        return ctx.scheduler().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs the task on the I/O executor; once the engine is shut down it is dropped. */
    void execute(Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException e) {
            if (!io.isShutdown()) {
                throw e;
            }
        }
    }

    /** Stops the executor, letting a running command end within the command timeout. */
    void shutdown(Duration commandTimeout) {
        io.shutdown();
        try {
            if (!io.awaitTermination(commandTimeout.toMillis() + 100, TimeUnit.MILLISECONDS)) {
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
