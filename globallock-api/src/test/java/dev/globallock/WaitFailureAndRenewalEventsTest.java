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
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The listener hears of waits in progress (every acquisition sent to the engine, whatever its
 * outcome), of acquisitions that failed instead of timing out, and of the watchdog's renewals and
 * failed renewals: what meters need for "waits in progress", outcome "failed" and renewal counts.
 */
class WaitFailureAndRenewalEventsTest {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> renewals = new AtomicReference<>("renew");
    private final AtomicReference<RuntimeException> acquireFailure = new AtomicReference<>();

    @Test
    void everyAcquisitionSentToTheEngineStartsAndEndsAWait() throws Exception {
        try (GlobalLockManager locks = manager(Duration.ofSeconds(30))) {
            try (LockHandle outer = locks.lock("a");
                    LockHandle inner = locks.lock("a")) {
                CompletableFuture.runAsync(() -> locks.tryLock("a").close()).get(10, TimeUnit.SECONDS);
            }
            assertThat(events)
                    .containsExactly(
                            "wait a",
                            "end a",
                            "acquired a",
                            "acquired a reentrant",
                            "wait a",
                            "end a",
                            "not acquired a",
                            "released a");
            events.clear();
            locks.lockAsync("b", LockOptions.defaults())
                    .get(10, TimeUnit.SECONDS)
                    .close();
        }
        // an async acquisition's end and its grant are reported by stages of one future, in either order
        assertThat(events).startsWith("wait b").endsWith("released b").containsOnlyOnce("end b", "acquired b");
        assertThat(events).hasSize(4);
    }

    @Test
    void anAcquisitionTheBackendFailsIsReportedAsFailedBlockingAndAsync() {
        acquireFailure.set(new LockBackendException("engine 'memory' at test refused the connection"));
        try (GlobalLockManager locks = manager(Duration.ofSeconds(30))) {
            assertThatThrownBy(() -> locks.lock("c")).isInstanceOf(LockBackendException.class);
            CompletableFuture<LockHandle> async = locks.lockAsync("d", LockOptions.defaults());
            assertThatThrownBy(() -> async.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertThat(events)
                .containsExactly(
                        "wait c",
                        "end c",
                        "failed c LockBackendException",
                        "wait d",
                        "end d",
                        "failed d LockBackendException");
    }

    @Test
    void anInterruptedWaitIsReportedAsFailed() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (GlobalLockManager locks = manager(Duration.ofSeconds(30));
                LockHandle held = locks.lock("e")) {
            Thread waiter = new Thread(() -> {
                try {
                    locks.lock("e").close();
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            waiter.start();
            awaitEvent(() -> events.stream().filter("wait e"::equals).count() == 2, "the second wait on e");
            waiter.interrupt();
            waiter.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(waiter.isAlive()).isFalse();
        }
        assertThat(thrown.get()).isInstanceOf(LockInterruptedException.class);
        assertThat(events)
                .containsExactly(
                        "wait e",
                        "end e",
                        "acquired e",
                        "wait e",
                        "end e",
                        "failed e LockInterruptedException",
                        "released e");
    }

    @Test
    void aWatchdogRenewalIsReported() {
        try (GlobalLockManager locks = manager(Duration.ofMillis(300));
                LockHandle held = locks.lock("f")) {
            awaitEvent(() -> events.contains("renewed f"), "a renewal of f");
            assertThat(held.isLocked()).isTrue();
        }
    }

    @Test
    void aRenewalTheBackendDoesNotAnswerIsAFailedRenewal() {
        renewals.set("fail");
        try (GlobalLockManager locks = manager(Duration.ofMillis(300));
                LockHandle held = locks.lock("g")) {
            awaitEvent(() -> events.contains("renewal failed g IllegalStateException"), "a failed renewal of g");
        }
        assertThat(events).doesNotContain("renewed g");
    }

    @Test
    void aRenewalTheBackendRefusesIsAFailedRenewalThenALoss() {
        renewals.set("refuse");
        try (GlobalLockManager locks = manager(Duration.ofMillis(300));
                LockHandle held = locks.lock("h")) {
            awaitEvent(() -> events.contains("lost h LOST"), "the loss of h");
            assertThat(held.isLocked()).isFalse();
        }
        assertThat(events).containsSubsequence("acquired h", "renewal failed h LockLostException", "lost h LOST");
    }

    private void awaitEvent(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline)
                    .as("waiting for " + what + "; events: " + events)
                    .isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private GlobalLockManager manager(Duration watchdogLease) {
        LockEngine memory = MemoryLockEngine.open("events-" + UUID.randomUUID());
        return GlobalLockManager.builder()
                .engine(new FaultyEngine(memory))
                .watchdogLease(watchdogLease)
                .eventListener(new Recorder())
                .build();
    }

    /** Fails acquisitions or renewals on demand: the library's own decorator hook, not a mock. */
    private final class FaultyEngine extends ForwardingLockEngine {
        FaultyEngine(LockEngine delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            RuntimeException failure = acquireFailure.get();
            return failure == null ? super.acquire(request) : CompletableFuture.failedFuture(failure);
        }

        @Override
        public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
            switch (renewals.get()) {
                case "fail":
                    return CompletableFuture.failedFuture(new IllegalStateException("no answer"));
                case "refuse":
                    return CompletableFuture.completedFuture(Set.copyOf(grants));
                default:
                    return super.renew(grants);
            }
        }
    }

    private final class Recorder implements LockEventListener {
        @Override
        public void acquired(String name, Duration waited, boolean reentrant) {
            events.add("acquired " + name + (reentrant ? " reentrant" : ""));
        }

        @Override
        public void notAcquired(String name, Duration waited) {
            events.add("not acquired " + name);
        }

        @Override
        public void released(String name, Duration held) {
            events.add("released " + name);
        }

        @Override
        public void lost(String name, LockState state) {
            events.add("lost " + name + " " + state);
        }

        @Override
        public void waitStarted(String name) {
            events.add("wait " + name);
        }

        @Override
        public void waitEnded(String name, Duration waited) {
            events.add("end " + name);
        }

        @Override
        public void acquireFailed(String name, Duration waited, Throwable cause) {
            events.add("failed " + name + " " + cause.getClass().getSimpleName());
        }

        @Override
        public void renewed(String name) {
            if (!events.contains("renewed " + name)) {
                events.add("renewed " + name);
            }
        }

        @Override
        public void renewalFailed(String name, Throwable cause) {
            String event = "renewal failed " + name + " " + cause.getClass().getSimpleName();
            if (!events.contains(event)) {
                events.add(event);
            }
        }
    }
}
