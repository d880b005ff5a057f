/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import java.util.concurrent.CompletableFuture;

/**
 * The rate limiters an engine keeps on its backend: what {@link LockEngine#rateLimiter()} returns
 * for an engine that declares {@link dev.globallock.Capability#RATE_LIMITER}. The manager owns
 * everything else: name validation and the key prefix, argument checks, waiting (it sleeps for the
 * time the engine reports, then asks again), interrupts and timeouts.
 *
 * <p>Both methods follow {@link LockEngine}'s rules for futures: they never block (blocking I/O
 * runs in a {@link dev.globallock.spi.support.CallerRunsFuture}, on the caller that waits for it or
 * on the engine's executor once dispatched), and a backend failure completes the future
 * exceptionally with a {@link dev.globallock.LockBackendException} naming the limiter ({@link
 * RateLimit#describe(String)}) and the engine ({@link dev.globallock.spi.support.EngineErrors}).
 * The manager asks only for 1 to {@link RateLimit#permits()} permits.
 *
 * <p>The clock that ages permits must be one every client of the backend shares (the server's,
 * or the host's for a host-local engine), never the client's own, and time may be read only on
 * the backend side of the atomic step. Thread-safe.
 */
public interface RateLimiterEngine extends AutoCloseable {
    /**
     * One atomic attempt to take {@code permits} from the limiter: all of them, or none. Completes
     * with {@link RateLimitState#granted(long)}, or with {@link RateLimitState#notGranted(long,
     * long)} and a positive time until they would fit.
     */
    CompletableFuture<RateLimitState> tryAcquire(RateLimit limit, int permits);

    /**
     * Reads the limiter without taking anything: the permits free now and the time until {@code
     * permits} would fit (zero when they do now). Never granted.
     */
    CompletableFuture<RateLimitState> inspect(RateLimit limit, int permits);

    /**
     * Releases what the rate limiters opened (connections of their own); called once by the manager
     * that got this from {@link LockEngine#rateLimiter()}, before it closes the engine. Nothing by
     * default.
     */
    @Override
    default void close() {}
}
