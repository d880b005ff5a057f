/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.RateLimiterEngine;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An engine that forwards every call to another: the base for decorators given to {@code
 * GlobalLockManager.Builder.decorateEngine} (metrics, tracing, fault injection in tests). Override
 * what you need and call {@code super}; everything else reaches the delegate unchanged. A future
 * returned by the delegate may be returned as it is or derived from ({@code thenApply}...): see
 * {@link CallerRunsFuture} for why that keeps the delegate's work running on the waiting caller.
 * Optional abilities of the delegate ({@link Abandonable}) are found through {@link #delegate()}.
 *
 * <p>Thread-safe if the delegate is, and as long as the overrides are.
 */
public abstract class ForwardingLockEngine implements LockEngine {
    private final LockEngine delegate;

    /** @param delegate the engine that does the work; the decorator owns it and closes it */
    protected ForwardingLockEngine(LockEngine delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The engine calls are forwarded to. */
    public final LockEngine delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public EngineCapabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public String describeEndpoint() {
        return delegate.describeEndpoint();
    }

    @Override
    public void start(EngineContext context) {
        delegate.start(context);
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        return delegate.acquire(request);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        return delegate.release(grant);
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        return delegate.renew(grants);
    }

    @Override
    public Optional<LockBackendException> connectionProblem() {
        return delegate.connectionProblem();
    }

    @Override
    public Optional<LockInspector> inspector() {
        return delegate.inspector();
    }

    @Override
    public Optional<RateLimiterEngine> rateLimiter() {
        return delegate.rateLimiter();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + delegate + "}";
    }
}
