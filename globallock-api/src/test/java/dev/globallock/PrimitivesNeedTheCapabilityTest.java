/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Asking for a semaphore or a read-write lock on an engine without {@link Capability#SEMAPHORE} or
 * {@link Capability#READ_WRITE_LOCK} is an UnsupportedOperationException naming the engine and the
 * engines that have them, and nothing is sent; the lock's requests stay in {@link
 * AcquireMode#EXCLUSIVE}.
 */
class PrimitivesNeedTheCapabilityTest {
    /** A memory engine dressed as one without the primitives, recording the requests it gets. */
    private static final class WithoutPrimitives extends ForwardingLockEngine {
        final List<AcquireRequest> requests = new ArrayList<>();

        WithoutPrimitives() {
            super(MemoryLockEngine.open("no-primitives-" + UUID.randomUUID()));
        }

        @Override
        public String name() {
            return "etcd";
        }

        @Override
        public String describeEndpoint() {
            return "http://127.0.0.1:2379";
        }

        @Override
        public EngineCapabilities capabilities() {
            return EngineCapabilities.of(Capability.LEASE_TIME, Capability.FENCING_TOKENS);
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            requests.add(request);
            return super.acquire(request);
        }
    }

    @Test
    @DisplayName("semaphore and readWriteLock on an engine without them: UnsupportedOperationException naming it")
    void missingCapability() {
        WithoutPrimitives engine = new WithoutPrimitives();
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(engine).build()) {
            assertThatThrownBy(() -> locks.semaphore("exports", 3))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("engine 'etcd' at http://127.0.0.1:2379 has no semaphores (its capabilities lack"
                            + " SEMAPHORE), so semaphore 'exports' cannot be made; engines on the class path that"
                            + " offer them: memory");
            assertThatThrownBy(() -> locks.readWriteLock("doc"))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("engine 'etcd' at http://127.0.0.1:2379 has no read-write locks (its capabilities"
                            + " lack READ_WRITE_LOCK), so read-write lock 'doc' cannot be made; engines on the class"
                            + " path that offer them: memory");
            assertThat(engine.requests).as("nothing sent").isEmpty();
            assertThat(locks.tryLock("still-locks").isLocked()).isTrue();
            assertThat(engine.requests).singleElement().satisfies(request -> {
                assertThat(request.mode()).isEqualTo(AcquireMode.EXCLUSIVE);
                assertThat(request.permits()).isEqualTo(1);
                assertThat(request.downgrading()).isEmpty();
                assertThat(request.getClass())
                        .as("the lock's request is the plain one")
                        .isEqualTo(AcquireRequest.class);
            });
        }
    }

    @Test
    @DisplayName("permits below 1 and bad names are IllegalArgumentExceptions, checked before the capability")
    void arguments() {
        try (GlobalLockManager locks = GlobalLockManager.inMemory()) {
            assertThatThrownBy(() -> locks.semaphore("exports", 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("permits of semaphore 'exports' was '0' but it must be at least 1");
            assertThatThrownBy(() -> locks.readWriteLock(" ")).isInstanceOf(IllegalArgumentException.class);
            assertThat(locks.capabilities().all()).contains(Capability.SEMAPHORE, Capability.READ_WRITE_LOCK);
            assertThat(GlobalLockManager.engineCapabilities("memory")
                            .orElseThrow()
                            .all())
                    .contains(Capability.SEMAPHORE, Capability.READ_WRITE_LOCK);
        }
    }
}
