/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import dev.globallock.EngineCapabilities;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a backend does natively: one acquisition (with its wait), release, renewal, fencing tokens
 * and noticing a lost lease. Everything else (defaults, name validation, key prefix, reentrancy,
 * the watchdog schedule, handles and listeners) is the manager's.
 *
 * <p>Implementations are thread-safe. No method blocks: each returns a future, and no thread may
 * be parked per lock or per waiter. A manager owns its engine and calls {@link #start} once before
 * anything else and {@link #close} once at the end.
 *
 * <h2>Futures whose work runs on the caller</h2>
 *
 * An engine may return a {@link dev.globallock.spi.support.CallerRunsFuture} whose first task is
 * deferred: a thread that blocks on it runs the engine's I/O itself, and nothing happens until
 * someone blocks on it or dispatches it. So whoever calls an engine and will <em>not</em> block on
 * the future it returns must call {@link dev.globallock.spi.support.CallerRunsFuture#dispatch
 * CallerRunsFuture.dispatch(future)} (a no-op for any other future); the manager does so for
 * {@code lockAsync}, asynchronous releases, renewals and closing. A decorator may return a future
 * derived from the engine's ({@code thenApply}...): waiting on it or dispatching it reaches the
 * engine's task.
 *
 * <h2>Acquire</h2>
 *
 * {@link #acquire} returns a future that completes with the grant once the lock is held. With
 * {@link AcquireRequest#singleAttempt()} it makes one attempt and completes with {@code null} if
 * the lock is taken. Otherwise it waits, woken by the backend, until acquired or until the manager
 * cancels the future (wait time elapsed, interrupt, user cancel). On cancellation the engine must
 * remove everything the wait left on the server (a queued node or key, a subscription) and, if it
 * acquired the lock in the same instant, release it: complete with {@code
 * if (!future.complete(grant)) CallerRunsFuture.dispatch(release(grant))} (or {@link
 * dev.globallock.spi.support.CallerRunsFuture#deliver(Object, java.util.function.Consumer)} with
 * such a release). A backend failure completes the future
 * exceptionally with a {@link dev.globallock.LockBackendException} naming the lock and endpoint.
 */
public interface LockEngine extends AutoCloseable {
    /** The provider name, such as {@code redis}. */
    String name();

    /**
     * What the engine supports; constant for the engine's life, and equal to or narrower than its
     * provider's {@link LockEngineProvider#capabilities()}.
     */
    EngineCapabilities capabilities();

    /** The endpoint(s) for messages, such as {@code redis://127.0.0.1:6379}: never credentials. */
    String describeEndpoint();

    /** Called once by the manager before any other call. */
    default void start(EngineContext context) {}

    /** Acquires the lock; see the class documentation for the waiting and cancellation contract. */
    CompletableFuture<LockGrant> acquire(AcquireRequest request);

    /**
     * Releases the grant if, and only if, it still owns the lock: never removes another holder's
     * lock. Idempotent: releasing twice, or after the lease expired, completes normally. The
     * future may defer its work to the thread that waits for it (see the class documentation).
     */
    CompletableFuture<Void> release(LockGrant grant);

    /**
     * Extends each grant's lease by its lease time, batched: as few round trips as the backend
     * allows (one script call per node, one lease keep-alive, or nothing when a session heartbeat
     * already does it). Completes with the grants found lost (no longer owned); completes
     * exceptionally when it could not tell (the manager retries on the next tick).
     */
    CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants);

    /**
     * Why the engine cannot reach its backend right now, if it knows: no connection could be
     * established, the server refused it, or it answers in another protocol. Empty when the engine
     * has no evidence of a problem (including when it simply has not tried yet). Does no I/O and
     * returns at once; thread-safe.
     *
     * <p>The manager asks when a wait ends without the lock, so that a backend that never answered
     * is reported as a {@link dev.globallock.LockBackendException} (with this exception as its
     * cause) rather than as a lock that was busy.
     */
    default Optional<dev.globallock.LockBackendException> connectionProblem() {
        return Optional.empty();
    }

    /** Reads a lock's state without taking it, and other operators' views; where the backend can tell. */
    default Optional<LockInspector> inspector() {
        return Optional.empty();
    }

    /**
     * The engine's rate limiters, when it keeps them on its backend; an engine that returns one
     * declares {@link dev.globallock.Capability#RATE_LIMITER} (and only such an engine returns one).
     * Empty by default.
     *
     * <p>The manager calls this once, when the application asks it for its first rate limiter, and
     * closes what it got when it closes, before it closes the engine. So an engine may return a new
     * instance on every call, which opens what it needs lazily (connections of its own, so rate
     * limiting traffic never queues behind lock renewals), or a shared one whose {@link
     * RateLimiterEngine#close()} does nothing. Cheap: no I/O.
     */
    default Optional<RateLimiterEngine> rateLimiter() {
        return Optional.empty();
    }

    /** Closes the engine's clients (not a client the application passed in). Idempotent. */
    @Override
    void close();
}
