/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.CallerRunsFuture;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's admin view: reads a lock's holder and remaining lease without taking it, and deletes
 * an unheld lock's fencing counter ({@code {K}:fence}) for {@code globallock check}. Each call is
 * one idempotent script call (per node), run on the executor at once. Thread-safe.
 */
final class RedisInspector implements LockInspector {
    private final Backend backend;
    private final EngineThreads threads;
    private final Topology topology;
    private final EngineState state;

    RedisInspector(Backend backend, EngineThreads threads, Topology topology, EngineState state) {
        this.backend = backend;
        this.threads = threads;
        this.topology = topology;
        this.state = state;
    }

    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key) {
        if (state.isClosed()) {
            return CompletableFuture.failedFuture(state.closed("inspect lock '" + name + "'"));
        }
        CallerRunsFuture<LockInfo> future = threads.future();
        return future.defer(onCaller -> {
                    try {
                        future.complete(topology.idempotent(() -> backend.inspect(name, LockKeys.of(key))));
                    } catch (RuntimeException e) {
                        future.completeExceptionally(state.failure("inspect", "lock '" + name + "'", e));
                    }
                })
                .dispatch();
    }

    /** The live holders of the key's semaphore or read-write lock; the lock's for {@link AcquireMode#EXCLUSIVE}. */
    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
        if (mode == AcquireMode.EXCLUSIVE) {
            return inspect(name, key);
        }
        if (state.isClosed()) {
            return CompletableFuture.failedFuture(state.closed("inspect '" + name + "'"));
        }
        LockKeys keys = LockKeys.shared(key, mode == AcquireMode.WRITE ? AcquireMode.READ : mode);
        CallerRunsFuture<LockInfo> future = threads.future();
        return future.defer(onCaller -> {
                    try {
                        future.complete(topology.idempotent(() -> SharedModes.inspect(backend, name, keys)));
                    } catch (RuntimeException e) {
                        future.completeExceptionally(state.failure("inspect", "'" + name + "'", e));
                    }
                })
                .dispatch();
    }

    /** Deletes the lock's fencing counter ({@code {K}:fence}) if the lock is not held. */
    @Override
    public CompletableFuture<Void> discard(String key) {
        if (state.isClosed()) {
            return CompletableFuture.failedFuture(state.closed("discard key '" + key + "'"));
        }
        CallerRunsFuture<Void> future = threads.future();
        return future.defer(onCaller -> {
                    try {
                        topology.idempotent(() -> {
                            backend.discardFence(LockKeys.of(key));
                            return null;
                        });
                        future.complete(null);
                    } catch (RuntimeException e) {
                        future.completeExceptionally(state.failure("discard", "key '" + key + "'", e));
                    }
                })
                .dispatch();
    }
}
