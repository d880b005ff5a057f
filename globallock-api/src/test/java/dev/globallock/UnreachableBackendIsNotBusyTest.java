/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A wait that ends while the engine knows its backend is unreachable is reported as a backend
 * failure naming the engine and endpoint, not as a busy lock; a wait on a reachable backend still
 * ends with {@link LockTimeoutException}.
 */
class UnreachableBackendIsNotBusyTest {
    private static final LockOptions SHORT_WAIT =
            LockOptions.builder().waitTime(Duration.ofMillis(200)).build();

    @Test
    void aBlockingWaitOnAnUnreachableBackendIsABackendFailure() {
        try (GlobalLockManager manager = manager(true)) {
            assertThatThrownBy(() -> manager.lock("report", SHORT_WAIT))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("lock 'report' was not acquired within 200ms")
                    .hasMessageContaining("engine 'memory' at ")
                    .hasMessageContaining("could not be reached: connection refused by 127.0.0.1:1")
                    .hasCauseInstanceOf(LockBackendException.class);
            assertThatThrownBy(() -> manager.tryLock("report", SHORT_WAIT)).isInstanceOf(LockBackendException.class);
        }
    }

    @Test
    void anAsyncWaitOnAnUnreachableBackendIsABackendFailure() {
        try (GlobalLockManager manager = manager(true)) {
            CompletableFuture<LockHandle> waiting = manager.lockAsync("report", SHORT_WAIT);
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("could not be reached: connection refused by 127.0.0.1:1");
        }
    }

    @Test
    void aWaitOnAReachableBackendIsStillATimeout() {
        try (GlobalLockManager manager = manager(false)) {
            assertThatThrownBy(() -> manager.lock("report", SHORT_WAIT))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessage("lock 'report' was not acquired within 200ms");
            assertThat(manager.tryLock("report", SHORT_WAIT).isLocked()).isFalse();
        }
    }

    private static GlobalLockManager manager(boolean unreachable) {
        MemoryLockEngine memory = MemoryLockEngine.open("unreachable-" + UUID.randomUUID());
        return GlobalLockManager.builder()
                .engine(new NeverAnswers(memory, unreachable))
                .build();
    }

    /** An engine whose acquisitions never complete, like a client waiting for a connection. */
    private static final class NeverAnswers extends ForwardingLockEngine {
        private final boolean unreachable;

        NeverAnswers(LockEngine delegate, boolean unreachable) {
            super(delegate);
            this.unreachable = unreachable;
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            return new CompletableFuture<>();
        }

        @Override
        public Optional<LockBackendException> connectionProblem() {
            return unreachable
                    ? Optional.of(new LockBackendException("connection refused by 127.0.0.1:1"))
                    : Optional.empty();
        }
    }
}
