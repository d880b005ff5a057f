/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.Ticker;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.util.concurrent.CompletableFuture;

/** A request queued in a memory table, with the ticker its grant's start is read from. */
final class MemoryWaiter {
    final AcquireRequest request;
    final Ticker managerTicker;
    final CompletableFuture<LockGrant> future;

    MemoryWaiter(AcquireRequest request, Ticker managerTicker, CompletableFuture<LockGrant> future) {
        this.request = request;
        this.managerTicker = managerTicker;
        this.future = future;
    }
}
