/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.Capability;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockInfo;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.EngineErrors;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The in-JVM reference engine: meets the whole lock contract (leases, FIFO waiters, fencing tokens,
 * lost-lease detection on renewal) without a server. Engines opened on the same namespace share one
 * lock table, so several managers stand for several processes. Thread-safe; nothing blocks.
 */
public final class MemoryLockEngine implements LockEngine, Abandonable {
    /** The namespace {@code GlobalLockManager.inMemory()} uses. */
    public static final String DEFAULT_NAMESPACE = "default";

    /** What the memory engine supports; the provider declares the same. */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
            Capability.LEASE_TIME,
            Capability.FIFO,
            Capability.FENCING_TOKENS,
            Capability.WAIT_NOTIFICATION,
            Capability.LOCAL_ONLY,
            Capability.RATE_LIMITER,
            Capability.SEMAPHORE,
            Capability.READ_WRITE_LOCK);

    private final String namespace;
    private final MemoryLockTable table;
    private final MemorySharedTable shared;
    private final EngineErrors errors = EngineErrors.of("memory", this::describeEndpoint);
    private volatile boolean abandoned;
    /** The manager's clock, for the grants' confirmation times. */
    private volatile Ticker ticker = Ticker.system();

    private MemoryLockEngine(String namespace) {
        this.namespace = namespace;
        this.table = MemoryLockTable.named(namespace);
        this.shared = MemorySharedTable.named(namespace);
    }

    /** An engine on the named in-JVM lock table. */
    public static MemoryLockEngine open(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        return new MemoryLockEngine(namespace);
    }

    /**
     * Makes the table drop the key's holder without telling it, as a backend that lost its data
     * would; the holder learns of it at its next renewal. For tests of lost-lease handling.
     */
    public void forget(String key) {
        table.forget(key);
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public EngineCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String describeEndpoint() {
        return "memory:" + namespace;
    }

    @Override
    public void start(EngineContext context) {
        this.ticker = context.ticker();
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        if (abandoned) {
            return unreachable("acquire lock '" + request.name() + "'");
        }
        if (request.mode() != AcquireMode.EXCLUSIVE) {
            return shared.acquire(request, ticker, describeEndpoint());
        }
        return table.acquire(request, ticker);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        if (abandoned) {
            return unreachable("release");
        }
        if (grant instanceof MemoryLockTable.Grant) {
            table.release((MemoryLockTable.Grant) grant);
        } else {
            shared.release((MemorySharedTable.Grant) grant);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        if (abandoned) {
            return unreachable("renew");
        }
        Set<LockGrant> lost = new HashSet<>();
        for (LockGrant grant : grants) {
            boolean held = grant instanceof MemoryLockTable.Grant
                    ? table.renew((MemoryLockTable.Grant) grant)
                    : shared.renew((MemorySharedTable.Grant) grant);
            if (!held) {
                lost.add(grant);
            }
        }
        return CompletableFuture.completedFuture(lost);
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(new LockInspector() {
            @Override
            public CompletableFuture<LockInfo> inspect(String name, String key) {
                return CompletableFuture.completedFuture(table.inspect(name, key));
            }

            @Override
            public CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
                return mode == AcquireMode.EXCLUSIVE
                        ? inspect(name, key)
                        : CompletableFuture.completedFuture(shared.inspect(name, mode, key));
            }
        });
    }

    /** Rate limiters on the namespace's table, aged by this JVM's monotonic clock. */
    @Override
    public Optional<RateLimiterEngine> rateLimiter() {
        return Optional.of(new MemoryRateLimiter(namespace, () -> abandoned, errors));
    }

    /** Stops answering, as a crashed process would: its leases then expire in the table. */
    @Override
    public void abandon() {
        abandoned = true;
    }

    @Override
    public void close() {}

    private <T> CompletableFuture<T> unreachable(String what) {
        return CompletableFuture.failedFuture(errors.unusable("was abandoned", what));
    }

    @Override
    public String toString() {
        return "MemoryLockEngine{" + namespace + "}";
    }
}
