/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.LockBackendException;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.EngineErrors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What both tables of a lock directory ({@link FileLockTable}, {@link FileSharedTable}) share: the
 * directory, its one I/O thread, the watch on it, running a task on that thread with the future
 * completed on the {@link CallbackPool}, and polling entries of type {@code E} with a doubling back-off.
 */
abstract class FileIoTable<E extends FileIoTable.Polled> {
    static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** Completes futures away from the I/O thread. */
    static final Executor CALLBACKS = CallbackPool.shared();

    final Path directory;
    final EngineErrors errors;
    final ScheduledThreadPoolExecutor io;
    /** Confined to the I/O thread. */
    final DirectoryWatch watch;
    /** Confined to the I/O thread: the entries that poll. */
    final Set<E> polling = new LinkedHashSet<>();

    /** An entry that may poll: its next attempt and the back-off before it. Confined to the I/O thread. */
    abstract static class Polled {
        ScheduledFuture<?> retry;
        long backoffNanos;
    }

    FileIoTable(Path directory, String ioThreadName) {
        this.directory = directory;
        String endpoint = "file:" + directory;
        this.errors = EngineErrors.of("file", () -> endpoint);
        this.io = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, ioThreadName);
            thread.setDaemon(true);
            return thread;
        });
        this.io.setRemoveOnCancelPolicy(true);
        this.watch = new DirectoryWatch(directory, io, this::wake);
    }

    /** On the I/O thread: files of the directory changed (all of them when {@code all}). */
    abstract void wake(Set<String> fileNames, boolean all);

    /** On the I/O thread: the scheduled attempt of a polling entry. */
    abstract void poll(E entry);

    /** Starts polling the entry after the first back-off and watching the directory, unless it polls already. */
    final void startPolling(E entry) {
        if (entry.retry == null) {
            entry.backoffNanos = FIRST_POLL_NANOS;
            polling.add(entry);
            watch.start();
            entry.retry = io.schedule(() -> poll(entry), FIRST_POLL_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Polls the entry again after twice the last back-off, at most {@code capNanos}. */
    final void pollAgain(E entry, long capNanos) {
        entry.backoffNanos = Math.min(Math.max(FIRST_POLL_NANOS, entry.backoffNanos * 2), capNanos);
        entry.retry = io.schedule(() -> poll(entry), entry.backoffNanos, TimeUnit.NANOSECONDS);
    }

    final void stopPolling(E entry) {
        if (entry.retry != null) {
            entry.retry.cancel(false);
            entry.retry = null;
        }
        polling.remove(entry);
    }

    /** The exception for an operation on {@code what} (a lock name or a description) that failed. */
    abstract LockBackendException failure(String operation, String what, Exception cause);

    @FunctionalInterface
    interface IoTask<T> {
        T run() throws IOException;
    }

    final <T> CompletableFuture<T> onIo(String operation, String what, IoTask<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        io.execute(() -> {
            T result;
            try {
                result = task.run();
            } catch (IOException | RuntimeException e) {
                LockBackendException failure = failure(operation, what, e);
                CALLBACKS.execute(() -> future.completeExceptionally(failure));
                return;
            }
            CALLBACKS.execute(() -> future.complete(result));
        });
        return future;
    }
}
