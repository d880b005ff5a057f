/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Who is told when one {@link HeldLock} is lost or expires while held: its lost-lease listeners, in
 * the order they were added, then its lost future. The lease makes it on first use (most leases are
 * released without anyone asking) and owns it.
 *
 * <p>Not thread-safe: the instance methods are called with the lease's mutex held; they neither
 * block nor run a listener. What {@link #takeForLoss()} hands back is run after the mutex is let go,
 * by {@link #run} on the thread that noticed the loss (a timer, the engine's) or by {@link #runOn}
 * on an executor when that thread is the application's; a listener that throws is logged, and the
 * ones after it still run.
 */
final class LostLeaseListeners {
    /** The lease's logger: these messages are about the lease. */
    private static final System.Logger LOG = System.getLogger(HeldLock.class.getName());

    /**
     * A handle's lost-lease listener: a handle released while other holds keep the lease stays
     * silent. Whether it wants to hear is decided when the loss is noticed, so that a handle open at
     * that moment hears of it even if it is released before its listener gets to run.
     */
    interface HandleListener extends Runnable {
        /** Whether the handle was still open; asked with the lease's mutex held, when the loss is noticed. */
        boolean wanted();
    }

    /** The listeners added while the lease was live, in the first {@code count} slots. */
    private Runnable[] listeners;

    private int count;
    private CompletableFuture<Void> future;

    /** Adds a listener to tell at the loss. */
    void add(Runnable listener) {
        if (listeners == null) {
            listeners = new Runnable[2];
        } else if (count == listeners.length) {
            listeners = Arrays.copyOf(listeners, count + (count >> 1)); // as ArrayList grows
        }
        listeners[count++] = listener;
    }

    /** The lost future, or null while nobody has asked for it. */
    CompletableFuture<Void> future() {
        return future;
    }

    /** Makes the lost future: once, when it is first asked for. */
    CompletableFuture<Void> newFuture() {
        future = new CompletableFuture<>();
        return future;
    }

    /**
     * The lease is gone: returns what to run outside the mutex (the listeners that want to hear,
     * then the lost future's completion) and forgets the listeners. A {@link HandleListener} is
     * asked now, at the loss, not when it gets to run on another thread.
     */
    List<Runnable> takeForLoss() {
        List<Runnable> toRun = new ArrayList<>(count + 1);
        for (int i = 0; i < count; i++) {
            Runnable listener = listeners[i];
            if (!(listener instanceof HandleListener handle) || handle.wanted()) {
                toRun.add(listener);
            }
        }
        listeners = null;
        count = 0;
        CompletableFuture<Void> lost = future;
        if (lost != null) {
            toRun.add(() -> lost.complete(null));
        }
        return toRun;
    }

    /** Runs the listeners on the executor: the caller is an application thread. Null runs nothing. */
    static void runOn(Executor executor, String lockName, List<Runnable> toRun) {
        if (toRun == null || toRun.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> run(lockName, toRun));
        } catch (RejectedExecutionException e) {
            run(lockName, toRun); // the manager is closing: run them here rather than never
        }
    }

    /** Runs the listeners on this thread, one after the other. Null runs nothing. */
    static void run(String lockName, List<Runnable> toRun) {
        if (toRun == null) {
            return;
        }
        for (Runnable listener : toRun) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a lost-lease listener of lock '" + lockName + "' threw", e);
            }
        }
    }
}
