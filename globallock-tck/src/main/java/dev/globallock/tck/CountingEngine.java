package dev.globallock.tck;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps an engine to count the calls the manager makes, so the kit can check round trips. */
final class CountingEngine implements LockEngine {
    private final LockEngine delegate;
    final AtomicInteger acquires = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();

    CountingEngine(LockEngine delegate) {
        this.delegate = delegate;
    }

    LockEngine delegate() {
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
        acquires.incrementAndGet();
        return delegate.acquire(request);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        releases.incrementAndGet();
        return delegate.release(grant);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant, boolean callerWaits) {
        releases.incrementAndGet();
        return delegate.release(grant, callerWaits);
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        renewals.incrementAndGet();
        return delegate.renew(grants);
    }

    @Override
    public Optional<LockInspector> inspector() {
        return delegate.inspector();
    }

    @Override
    public void abandon() {
        delegate.abandon();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
