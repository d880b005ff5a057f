/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for one engine operation (a release, an inspection) on the caller's thread, bounded by the
 * operation timeout; its failures come out translated ({@link EngineFailures}). Blocking on the
 * engine's future is what lets an engine run the operation's I/O on this thread. Immutable.
 */
final class OperationWaits {
    private final EngineFailures failures;
    private final Ticker ticker;
    private final long boundNanos;

    OperationWaits(EngineFailures failures, Ticker ticker, Duration operationTimeout) {
        this.failures = failures;
        this.ticker = ticker;
        this.boundNanos = operationTimeout.toNanos();
    }

    /**
     * The operation's result.
     *
     * @throws LockInterruptedException when interrupted (the flag is set again)
     * @throws LockBackendException when the engine fails or does not answer in time (the operation
     *     is then cancelled)
     */
    <T> T await(CompletableFuture<T> future, String name, String operation) {
        try {
            return future.get(boundNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(name, e);
        } catch (ExecutionException e) {
            throw failures.translate(e.getCause(), name, operation);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw failures.notAnswered(name, operation);
        }
    }

    /**
     * {@link #await} that goes on waiting through interrupts, up to the operation timeout in all;
     * returns whether it was interrupted, for the caller to set the flag again (which it does
     * itself before throwing).
     */
    boolean awaitUninterruptibly(CompletableFuture<?> future, String name, String operation) {
        boolean interrupted = false;
        long start = ticker.read();
        long timeout = boundNanos;
        while (true) {
            try {
                future.get(timeout, TimeUnit.NANOSECONDS);
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
                timeout = Math.max(0, boundNanos - (ticker.read() - start));
            } catch (ExecutionException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw failures.translate(e.getCause(), name, operation);
            } catch (TimeoutException e) {
                future.cancel(false);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw failures.notAnswered(name, operation);
            }
        }
    }
}
