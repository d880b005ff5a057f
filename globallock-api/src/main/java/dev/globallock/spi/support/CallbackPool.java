/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where an engine completes a future whose dependents are the application's code (what it chained
 * on {@code lockAsync}), so that such code never runs on, and never blocks, the client library's
 * I/O or event thread: a callback that releases its handle or takes another lock (blocking calls)
 * would otherwise wait for an answer that only that thread can deliver.
 *
 * <p>One pool for the JVM, shared by all engines, with no fixed size: a thread is reused when idle
 * and ends after 30 s without work, so a dependent that blocks never starves the completion it
 * waits for, the way it would on a single callback thread. Completions are short, so in practice
 * one or two threads serve every engine. Thread-safe.
 */
public final class CallbackPool {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Executor POOL =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "globallock-callback-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

    private CallbackPool() {}

    /** The shared pool; never shut down (its idle threads end by themselves, and are daemons). */
    public static Executor shared() {
        return POOL;
    }
}
