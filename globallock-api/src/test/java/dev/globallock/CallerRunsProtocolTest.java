/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manager blocks on the engine's futures where its caller waits (lock, tryLock, a handle's
 * release), so an engine's deferred work runs on the waiting thread, and dispatches them where it
 * does not (lockAsync), so that work runs elsewhere at once. (It replaced the {@code callerWaits}
 * hint of the SPI: the assertions are that hint's.)
 */
class CallerRunsProtocolTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final ExecutorService io = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopIo() {
        io.shutdownNow();
    }

    @Test
    void blockingCallsSayTheCallerWaits() {
        try (GlobalLockManager manager = manager()) {
            manager.lock("blocking").close();
            manager.tryLock("single", LockOptions.builder().noWait().build()).close();
            assertThat(calls)
                    .containsExactly(
                            "acquire blocking, caller waits",
                            "release, caller waits",
                            "acquire single, caller waits",
                            "release, caller waits");
        }
    }

    @Test
    void asyncAcquisitionsDoNotClaimTheCaller() throws Exception {
        try (GlobalLockManager manager = manager()) {
            LockHandle handle = manager.lockAsync(
                            "async", LockOptions.builder().waitForever().build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(calls).containsExactly("acquire async, caller goes on");
            handle.close();
            assertThat(calls).hasSize(2).last().isEqualTo("release, caller waits");
        }
    }

    @Test
    @Timeout(30)
    void aDecoratorsDerivedFuturesNeverStrandTheEnginesWork() throws Exception {
        MemoryLockEngine memory = MemoryLockEngine.open("derived-" + UUID.randomUUID());
        LockEngine deriving = new ForwardingLockEngine(new Recording(memory)) {
            @Override
            public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
                return super.acquire(request).thenApply(grant -> grant);
            }

            @Override
            public CompletableFuture<Void> release(LockGrant grant) {
                // the manager never sees the engine's future: only what a composition returns
                return CompletableFuture.completedFuture(grant).thenCompose(super::release);
            }
        };
        try (GlobalLockManager manager =
                GlobalLockManager.builder().engine(deriving).build()) {
            manager.lock("blocking").close();
            manager.tryLock("single", LockOptions.builder().noWait().build()).close();
            manager.lockAsync("async", LockOptions.builder().waitForever().build())
                    .get(10, TimeUnit.SECONDS)
                    .close();
            assertThat(manager.tryLock("blocking").isLocked())
                    .as("every release happened")
                    .isTrue();
        }
        assertThat(calls).as("4 acquisitions, 4 releases").hasSize(8);
    }

    private GlobalLockManager manager() {
        MemoryLockEngine memory = MemoryLockEngine.open("hint-" + UUID.randomUUID());
        return GlobalLockManager.builder().engine(new Recording(memory)).build();
    }

    /**
     * Defers the memory engine's work as an engine with blocking I/O does, and records whether it
     * ran on the thread that made the call, blocked on the future ("caller waits").
     */
    private final class Recording extends ForwardingLockEngine {
        Recording(LockEngine delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            return deferred("acquire " + request.name(), () -> super.acquire(request));
        }

        @Override
        public CompletableFuture<Void> release(LockGrant grant) {
            return deferred("release", () -> super.release(grant));
        }

        private <T> CompletableFuture<T> deferred(String call, java.util.function.Supplier<CompletableFuture<T>> work) {
            Thread caller = Thread.currentThread();
            CallerRunsFuture<T> future = new CallerRunsFuture<>(CallerRunsPolicy.of(io));
            return future.defer(onCaller -> {
                calls.add(
                        call + (onCaller && Thread.currentThread() == caller ? ", caller waits" : ", caller goes on"));
                work.get().whenComplete((value, failure) -> {
                    if (failure != null) {
                        future.completeExceptionally(failure);
                    } else {
                        future.complete(value);
                    }
                });
            });
        }
    }
}
