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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What both tables of a lock directory ({@link FileLockTable}, {@link FileSharedTable}) share: the
 * directory, its one I/O thread, the watch on it, and running a task on that thread with the future
 * completed on the {@link CallbackPool}.
 */
abstract class FileIoTable {
    static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** Completes futures away from the I/O thread. */
    static final Executor CALLBACKS = CallbackPool.shared();

    final Path directory;
    final EngineErrors errors;
    final ScheduledThreadPoolExecutor io;
    /** Confined to the I/O thread. */
    final DirectoryWatch watch;

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
