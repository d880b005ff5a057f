/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where the engine runs what the application may have chained on its futures and listeners, so
 * that such code never runs on (and never blocks) ZooKeeper's event thread: the JVM's shared
 * {@link CallbackPool}, directly or one task at a time ({@link #serial()}); and how the engine's
 * futures run ({@link #CALLER_RUNS}).
 */
final class Callbacks {
    private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());

    static final Executor POOL = CallbackPool.shared();

    /**
     * How the engine's futures run: a caller that blocks runs the first step itself, and its
     * blocking ZooKeeper calls are interrupted at its deadline (they end no other way); a step
     * nobody waits for only starts asynchronous calls, on the dispatching thread; what the event
     * thread delivers is completed on the waiting caller or the callback pool ({@link
     * CallerRunsFuture}).
     */
    static final CallerRunsPolicy CALLER_RUNS = CallerRunsPolicy.of(CallerRunsPolicy.callingThread())
            .interruptAtDeadline()
            .deliverOn(POOL);

    private Callbacks() {}

    /** An executor that runs its tasks one at a time, in submission order, on the pool. */
    static Executor serial() {
        return new Serial();
    }

    private static final class Serial implements Executor {
        private final ReentrantLock mutex = new ReentrantLock();
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean running;

        @Override
        public void execute(Runnable task) {
            mutex.lock();
            try {
                queue.add(task);
                if (running) {
                    return;
                }
                running = true;
            } finally {
                mutex.unlock();
            }
            POOL.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                mutex.lock();
                try {
                    next = queue.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                } finally {
                    mutex.unlock();
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a globallock zookeeper callback threw", e);
                }
            }
        }
    }
}
