/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.LockEngineProvider;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.EngineErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The manager's semaphores and read-write locks: thin views that check the engine's capability
 * once, when made, and then send every acquisition down the lock's own path ({@link Acquisitions})
 * with another {@link AcquireMode}. Immutable and thread-safe.
 */
final class Primitives {
    private final ManagerContext manager;
    private final Acquisitions acquisitions;
    private final OperationWaits waits;

    Primitives(ManagerContext manager, Acquisitions acquisitions, OperationWaits waits) {
        this.manager = manager;
        this.acquisitions = acquisitions;
        this.waits = waits;
    }

    /** What the backend says about the holders, without taking anything; empty when the engine cannot tell. */
    private Optional<LockInfo> inspect(String name, AcquireMode mode) {
        String key = manager.keyFor(name);
        Optional<LockInspector> inspector = manager.engine.inspector();
        if (inspector.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(waits.await(inspector.get().inspect(name, key, mode), name, "inspect"));
    }

    LockSemaphore semaphore(String name, int permits) {
        manager.keyFor(name);
        if (permits < 1) {
            throw new IllegalArgumentException(
                    "permits of semaphore '" + name + "' was '" + permits + "' but it must be at least 1");
        }
        require(Capability.SEMAPHORE, "semaphores", "semaphore '" + name + "'");
        return new Semaphore(name, permits);
    }

    LockReadWrite readWriteLock(String name) {
        manager.keyFor(name);
        require(Capability.READ_WRITE_LOCK, "read-write locks", "read-write lock '" + name + "'");
        return new ReadWrite(name);
    }

    private void require(Capability capability, String things, String what) {
        if (manager.capabilities.has(capability)) {
            return;
        }
        List<String> offering = new ArrayList<>();
        for (Map.Entry<String, LockEngineProvider> provider :
                EngineProviders.load().all().entrySet()) {
            try {
                if (provider.getValue().capabilities().has(capability)) {
                    offering.add(provider.getKey());
                }
            } catch (RuntimeException e) {
                // a provider that cannot say is not listed
            }
        }
        throw new UnsupportedOperationException(EngineErrors.of(manager.engine)
                .say("has no " + things + " (its capabilities lack " + capability + "), so " + what
                        + " cannot be made"
                        + (offering.isEmpty()
                                ? ""
                                : "; engines on the class path that offer them: " + String.join(", ", offering))));
    }

    private final class Semaphore implements LockSemaphore {
        private final String name;
        private final int permits;

        Semaphore(String name, int permits) {
            this.name = name;
            this.permits = permits;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int permits() {
            return permits;
        }

        @Override
        public LockHandle tryAcquire() {
            return acquisitions.acquire(
                    name, LockOptions.builder().noWait().build(), false, AcquireMode.PERMIT, permits);
        }

        @Override
        public LockHandle acquire(LockOptions options) {
            return acquisitions.acquire(name, options, true, AcquireMode.PERMIT, permits);
        }

        @Override
        public CompletableFuture<LockHandle> acquireAsync(LockOptions options) {
            return acquisitions.acquireAsync(name, options, AcquireMode.PERMIT, permits);
        }

        @Override
        public Optional<LockInfo> inspect() {
            return Primitives.this.inspect(name, AcquireMode.PERMIT);
        }

        @Override
        public String toString() {
            return "LockSemaphore{" + name + ", permits=" + permits + "}";
        }
    }

    private final class ReadWrite implements LockReadWrite {
        private final String name;
        private final Side read;
        private final Side write;

        ReadWrite(String name) {
            this.name = name;
            this.read = new Side(AcquireMode.READ);
            this.write = new Side(AcquireMode.WRITE);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public LockReadWrite.Side readLock() {
            return read;
        }

        @Override
        public LockReadWrite.Side writeLock() {
            return write;
        }

        @Override
        public Optional<LockInfo> inspect() {
            return Primitives.this.inspect(name, AcquireMode.WRITE);
        }

        @Override
        public String toString() {
            return "LockReadWrite{" + name + "}";
        }

        private final class Side implements LockReadWrite.Side {
            private final AcquireMode mode;

            Side(AcquireMode mode) {
                this.mode = mode;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isWrite() {
                return mode == AcquireMode.WRITE;
            }

            @Override
            public LockHandle tryLock() {
                return acquisitions.acquire(name, LockOptions.builder().noWait().build(), false, mode, 1);
            }

            @Override
            public LockHandle lock(LockOptions options) {
                return acquisitions.acquire(name, options, true, mode, 1);
            }

            @Override
            public CompletableFuture<LockHandle> lockAsync(LockOptions options) {
                return acquisitions.acquireAsync(name, options, mode, 1);
            }

            @Override
            public String toString() {
                return "LockReadWrite." + (isWrite() ? "writeLock" : "readLock") + "{" + name + "}";
            }
        }
    }
}
