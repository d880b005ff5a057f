/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The wait time counts from the call, not from when the engine has taken the request: time an
 * engine spends before it returns its future (a first request that loads a client's classes, a
 * synchronous step) is part of the wait, so a 5 s wait ends by 5 s and not 5 s after the engine
 * returned.
 */
class WaitCountsFromTheCallTest {
    private static final Duration WAIT = Duration.ofSeconds(2);

    @Test
    void aBlockingWaitIncludesTheTimeTheEngineTookToTakeTheRequest() {
        try (GlobalLockManager manager = manager()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> manager.lock(
                            "report", LockOptions.builder().waitTime(WAIT).build()))
                    .isInstanceOf(LockTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("the engine used up the whole wait before it returned")
                    .isLessThan(WAIT.toMillis() / 2);
        }
    }

    @Test
    void anAsyncWaitIncludesItToo() {
        try (GlobalLockManager manager = manager()) {
            long start = System.nanoTime();
            CompletableFuture<LockHandle> waiting = manager.lockAsync(
                    "report", LockOptions.builder().waitTime(WAIT).build());
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LockTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(WAIT.toMillis() / 2);
        }
    }

    /**
     * An engine that never answers and takes the whole wait time, by the manager's clock, before it
     * returns its future.
     */
    private static GlobalLockManager manager() {
        AtomicLong spent = new AtomicLong();
        Ticker ticker = () -> System.nanoTime() + spent.get();
        MemoryLockEngine memory = MemoryLockEngine.open("slow-" + UUID.randomUUID());
        return GlobalLockManager.builder()
                .ticker(ticker)
                .engine(new ForwardingLockEngine(memory) {
                    @Override
                    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
                        spent.addAndGet(WAIT.toNanos());
                        return new CompletableFuture<>();
                    }
                })
                .build();
    }
}
