/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockEngine;
import dev.globallock.spi.support.EngineErrors;
import java.time.Duration;
import java.util.Optional;

/**
 * Error translation: what the manager tells its caller when the engine fails, does not answer or
 * cannot be reached. Every exception is made on the caller's side (it carries the caller's stack)
 * and names the lock, and the engine and its endpoint the way {@link EngineErrors} does.
 * Immutable.
 */
final class EngineFailures {
    private final LockEngine engine;
    private final EngineErrors errors;
    private final Duration operationTimeout;

    EngineFailures(LockEngine engine, Duration operationTimeout) {
        this.engine = engine;
        this.errors = EngineErrors.of(engine);
        this.operationTimeout = operationTimeout;
    }

    /** The subject of engine messages without the endpoint: {@code engine 'redis'}. */
    String engine() {
        return errors.engine();
    }

    /**
     * An engine failure as an exception that carries the caller's stack and names the lock: a
     * {@link GlobalLockException}, or an {@link IllegalArgumentException} when the engine refused the
     * request itself (a semaphore's permits that disagree with its other users').
     */
    RuntimeException translate(Throwable failure, String name, String operation) {
        Throwable cause = EngineErrors.unwrap(failure);
        if (cause instanceof LockBackendException) {
            return new LockBackendException(cause.getMessage(), cause);
        }
        if (cause instanceof LockLostException) {
            return new LockLostException(name, cause.getMessage(), cause);
        }
        if (cause instanceof GlobalLockException) {
            return (GlobalLockException) cause;
        }
        if (cause instanceof IllegalArgumentException) {
            // the backend refused the request itself (a semaphore's permits that disagree with its users')
            return new IllegalArgumentException(cause.getMessage(), cause);
        }
        return errors.failed(operation, EngineErrors.lock(name), String.valueOf(cause), cause);
    }

    /** The engine did not answer an operation (release, inspect) within the operation timeout. */
    LockBackendException notAnswered(String name, String operation) {
        return new LockBackendException(errors.say("did not answer the " + operation + " of " + EngineErrors.lock(name)
                + " within the operation timeout of " + Durations.format(operationTimeout)));
    }

    /** The engine did not answer a single attempt (wait time zero) within the operation timeout. */
    LockBackendException attemptNotAnswered(String name) {
        return new LockBackendException(errors.say("did not answer an attempt on " + EngineErrors.lock(name)
                + " within the operation timeout of " + Durations.format(operationTimeout)));
    }

    /**
     * A wait of {@code bound} that ended without the lock while the engine knows its backend to be
     * unreachable was not a busy lock: the failure to report, or null when the engine knows of no
     * problem (or fails to say).
     */
    LockBackendException unreachableAfterWait(String name, Duration bound) {
        Optional<LockBackendException> problem;
        try {
            problem = engine.connectionProblem();
        } catch (RuntimeException e) {
            return null;
        }
        if (problem == null || problem.isEmpty()) {
            return null;
        }
        LockBackendException cause = problem.get();
        return new LockBackendException(
                EngineErrors.lock(name) + " was not acquired within " + Durations.format(bound) + " because "
                        + errors.say("could not be reached: " + cause.getMessage()),
                cause);
    }

    /** A call on a closed manager, or a blocking wait its {@code close()} ended. */
    IllegalStateException closed(String name) {
        return new IllegalStateException("the " + engine.name() + " lock manager is closed (lock '" + name + "')");
    }

    /** A lock or tryLock by a thread whose interrupt flag was set: nothing was sent. */
    LockInterruptedException interruptedBefore(Thread thread, String name) {
        return new LockInterruptedException("thread '" + thread.getName() + "' was interrupted before it asked for "
                + EngineErrors.lock(name) + " (its interrupt flag was set, and is kept): nothing was sent to "
                + errors.engine());
    }
}
