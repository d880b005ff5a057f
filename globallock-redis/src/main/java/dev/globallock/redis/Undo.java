/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Undoes acquisitions nobody will use: a grant that came after its waiter gave up, or an attempt
 * whose connection broke after it was sent (the script may have run; a command sent to a server
 * that hangs runs when it resumes). Owner-checked, so harmless when nothing was granted. A release
 * that meets a passing failure (the master failing over, the server not answering) is tried again
 * with a backoff until one is answered, for at most the lease (after it the grant is gone anyway)
 * or {@code failover-timeout}, whichever is shorter. Runs on the I/O executor. Thread-safe.
 */
final class Undo {
    private final Backend backend;
    private final EngineThreads threads;
    private final EngineState state;
    private final long failoverTimeoutNanos;

    Undo(Backend backend, EngineThreads threads, EngineState state, Duration failoverTimeout) {
        this.backend = backend;
        this.threads = threads;
        this.state = state;
        this.failoverTimeoutNanos = failoverTimeout.toNanos();
    }

    /** Releases the owner's acquisition of the lock, in the background. */
    void release(LockKeys keys, byte[] owner, long leaseMillis) {
        long deadline =
                threads.ticker().read() + Math.min(TimeUnit.MILLISECONDS.toNanos(leaseMillis), failoverTimeoutNanos);
        undo(keys, owner, deadline, 0);
    }

    private void undo(LockKeys keys, byte[] owner, long deadlineNanos, int failures) {
        try {
            threads.execute(() -> {
                try {
                    SharedModes.release(backend, keys, owner);
                } catch (RuntimeException e) {
                    if (!state.isClosed()
                            && threads.started()
                            && Errors.passing(e)
                            && threads.ticker().read() - deadlineNanos < 0) {
                        try {
                            threads.schedule(
                                    () -> undo(keys, owner, deadlineNanos, failures + 1),
                                    RideThrough.backoffMillis(failures));
                            return;
                        } catch (RejectedExecutionException closing) {
                            // the manager is closing: the lease ends by itself
                        }
                    }
                    EngineState.LOG.log(
                            Level.DEBUG,
                            () -> "could not undo an acquisition of " + keys + "; its lease ends by itself: " + e);
                }
            });
        } catch (RuntimeException e) {
            // closing: the lease ends by itself
        }
    }
}
