/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Releasing an inner hold of a reentrant lock cancels that handle's lost() futures and leaves the
 * outer hold's armed.
 */
class ReentrantReleaseKeepsLostSignalTest {
    @Test
    void anInnerReleaseDoesNotCancelTheOuterHandlesLostFuture() {
        Map<String, Object> config =
                Map.of("engine", "memory", "memory", Map.of("namespace", "reentrant-" + UUID.randomUUID()));
        try (GlobalLockManager manager = GlobalLockManager.create(config)) {
            LockHandle outer = manager.lock("nested");
            CompletableFuture<Void> outerLost = outer.lost();
            LockHandle inner = manager.lock("nested");
            CompletableFuture<Void> innerLost = inner.lost();
            inner.close();
            assertThat(outer.state()).isEqualTo(LockState.HELD);
            assertThat(outerLost).as("outer lost() after the inner release").isNotDone();
            assertThat(innerLost).as("inner lost() after the inner release").isCancelled();
            assertThat(inner.lost()).as("lost() asked after the inner release").isCancelled();
            outer.close();
            assertThat(outerLost).as("outer lost() after the last release").isCancelled();
        }
    }

    @Test
    void aLossAfterAnInnerReleaseIsSignalledOnlyToTheHandlesStillHeld() throws Exception {
        String namespace = "reentrant-loss-" + UUID.randomUUID();
        MemoryLockEngine engine = MemoryLockEngine.open(namespace);
        try (GlobalLockManager manager = GlobalLockManager.builder()
                .engine(engine)
                .watchdogLease(Duration.ofMillis(300))
                .build()) {
            AtomicInteger outerTold = new AtomicInteger();
            AtomicInteger innerTold = new AtomicInteger();
            LockHandle outer = manager.lock("nested").onLost(outerTold::incrementAndGet);
            LockHandle inner = manager.lock("nested").onLost(innerTold::incrementAndGet);
            inner.close();

            engine.forget("nested"); // the backend drops the lock; the next renewal finds it gone
            outer.lost().get(10, TimeUnit.SECONDS);

            assertThat(outerTold).as("the outer handle, still held").hasValue(1);
            assertThat(innerTold)
                    .as("the inner handle, released before the loss")
                    .hasValue(0);
        }
    }
}
