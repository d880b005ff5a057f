/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps an engine to count the calls the manager makes, so the kit can check round trips. */
final class CountingEngine extends ForwardingLockEngine {
    final AtomicInteger acquires = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();

    CountingEngine(LockEngine delegate) {
        super(delegate);
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        acquires.incrementAndGet();
        return super.acquire(request);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        releases.incrementAndGet();
        return super.release(grant);
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        renewals.incrementAndGet();
        return super.renew(grants);
    }

    /**
     * Simulates a crash of the holder's process: abandons the engine behind this one where it can
     * ({@link Abandonable}), else closes it.
     */
    void crash() {
        Abandonable.crash(delegate());
    }
}
