/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manager's waits on a rate limiter, against an engine whose answers the test scripts: a refusal
 * says when the permits fit, the caller sleeps until then and asks once more (no polling: the number
 * of engine calls is counted), gives up at once when that moment lies beyond its wait, is
 * interruptible with the flag kept, and is woken by the manager's close. The same for the
 * asynchronous wait, whose sleeps are timers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimiterWaitsWithoutPollingTest {
    private static final long MS = 1_000_000L;

    /** Answers from the script, in order; the last one repeats. Records when each call came. */
    private static final class ScriptedLimiter implements RateLimiterEngine {
        final Deque<Supplier<CompletableFuture<RateLimitState>>> answers = new ArrayDeque<>();
        final List<Long> calls = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        ScriptedLimiter answer(Supplier<CompletableFuture<RateLimitState>> answer) {
            answers.add(answer);
            return this;
        }

        ScriptedLimiter refuse(long waitMillis) {
            return answer(() -> CompletableFuture.completedFuture(RateLimitState.notGranted(0, waitMillis * MS)));
        }

        ScriptedLimiter grant() {
            return answer(() -> CompletableFuture.completedFuture(RateLimitState.granted(0)));
        }

        @Override
        public synchronized CompletableFuture<RateLimitState> tryAcquire(RateLimit limit, int permits) {
            calls.add(System.nanoTime());
            return (answers.size() > 1 ? answers.poll() : answers.peek()).get();
        }

        @Override
        public CompletableFuture<RateLimitState> inspect(RateLimit limit, int permits) {
            return CompletableFuture.completedFuture(RateLimitState.notGranted(0, 250 * MS));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class ScriptedEngine extends ForwardingLockEngine {
        final ScriptedLimiter limiter;

        ScriptedEngine(ScriptedLimiter limiter) {
            super(MemoryLockEngine.open("scripted-" + UUID.randomUUID()));
            this.limiter = limiter;
        }

        @Override
        public Optional<RateLimiterEngine> rateLimiter() {
            return Optional.of(limiter);
        }
    }

    private GlobalLockManager locks;
    private final AtomicReference<Thread> started = new AtomicReference<>();

    @AfterEach
    void close() {
        if (locks != null) {
            locks.close();
        }
        Thread thread = started.get();
        if (thread != null) {
            thread.interrupt();
        }
    }

    private RateLimiter limiter(ScriptedLimiter script) {
        locks = GlobalLockManager.builder()
                .engine(new ScriptedEngine(script))
                .operationTimeout(Duration.ofMillis(300))
                .build();
        return locks.rateLimiter("api", 5, Duration.ofSeconds(1));
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    @DisplayName("refused with 'fits in 300ms': sleeps 300ms, asks once more, is granted; two engine calls in all")
    void sleepsForTheReportedTimeThenAsksOnce() {
        ScriptedLimiter script = new ScriptedLimiter().refuse(300).grant();
        RateLimiter limiter = limiter(script);
        long start = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofSeconds(5))).isTrue();
        assertThat(millisSince(start)).isBetween(300L, 4_000L);
        assertThat(script.calls).hasSize(2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(script.calls.get(1) - script.calls.get(0)))
                .as("the second call comes when the permits were said to fit, not before")
                .isGreaterThanOrEqualTo(300);
    }

    @Test
    @DisplayName("another client took the freed permits: it sleeps for the next reported time, not a fixed interval")
    void refusedAgainSleepsAgain() {
        ScriptedLimiter script = new ScriptedLimiter().refuse(100).refuse(200).grant();
        RateLimiter limiter = limiter(script);
        long start = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofSeconds(5))).isTrue();
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(300);
        assertThat(script.calls).hasSize(3);
    }

    @Test
    @DisplayName("the permits fit only after the wait: false at once, after one call")
    void aWaitTooShortGivesUpAtOnce() {
        ScriptedLimiter script = new ScriptedLimiter().refuse(5_000);
        RateLimiter limiter = limiter(script);
        long start = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofSeconds(1))).isFalse();
        assertThat(millisSince(start)).as("not the whole second").isLessThan(900);
        assertThat(script.calls).hasSize(1);
        // a fresh handle: this one remembers the refusal for 5s (RateLimiterRemembersRefusalsTest)
        assertThat(locks.rateLimiter("api", 5, Duration.ofSeconds(1)).tryAcquire())
                .as("no wait: one attempt")
                .isFalse();
        assertThat(script.calls).hasSize(2);
        assertThat(limiter.timeUntilAvailable(2)).isEqualTo(Duration.ofMillis(250));
        assertThat(limiter.availablePermits()).isZero();
    }

    @Test
    @DisplayName("interrupted while it sleeps: LockInterruptedException, the flag set, no further call")
    void interruptedWhileSleeping() throws Exception {
        ScriptedLimiter script = new ScriptedLimiter().refuse(10_000);
        RateLimiter limiter = limiter(script);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread sleeper = new Thread(() -> {
            try {
                limiter.tryAcquire(1, Duration.ofSeconds(20));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag cleared", e));
            }
        });
        started.set(sleeper);
        sleeper.start();
        awaitSleeping(sleeper, script);
        sleeper.interrupt();
        assertThat(outcome.get(5, TimeUnit.SECONDS))
                .isInstanceOf(LockInterruptedException.class)
                .hasMessage("interrupted while waiting for rate limiter 'api'");
        assertThat(script.calls).hasSize(1);
    }

    @Test
    @DisplayName("a thread whose interrupt flag is set sends nothing and keeps the flag")
    void interruptedBefore() {
        ScriptedLimiter script = new ScriptedLimiter().grant();
        RateLimiter limiter = limiter(script);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> limiter.tryAcquire(1, Duration.ofSeconds(1)))
                    .isInstanceOf(LockInterruptedException.class)
                    .hasMessageContaining("was interrupted before it asked rate limiter 'api' for 1 permit(s)")
                    .hasMessageContaining("nothing was sent to engine 'memory'");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(script.calls).isEmpty();
    }

    @Test
    @DisplayName(
            "closing the manager wakes a sleeping caller with the closed-manager error and closes the engine's limiter")
    void closeWakesSleepers() throws Exception {
        ScriptedLimiter script = new ScriptedLimiter().refuse(10_000);
        RateLimiter limiter = limiter(script);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread sleeper = new Thread(() -> {
            try {
                limiter.tryAcquire(1, Duration.ofSeconds(20));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        started.set(sleeper);
        sleeper.start();
        awaitSleeping(sleeper, script);
        long closing = System.nanoTime();
        locks.close();
        assertThat(outcome.get(5, TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the memory lock manager is closed (rate limiter 'api')");
        assertThat(millisSince(closing)).isLessThan(2_000);
        assertThat(script.closed).isTrue();
    }

    @Test
    @DisplayName("async: the sleep is a timer; granted after the reported time with two calls, or false at once")
    void asyncWaits() throws Exception {
        ScriptedLimiter script = new ScriptedLimiter().refuse(300).grant();
        RateLimiter limiter = limiter(script);
        long start = System.nanoTime();
        CompletableFuture<Boolean> waiting = limiter.tryAcquireAsync(1, Duration.ofSeconds(5));
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(300);
        assertThat(script.calls).hasSize(2);

        script.answers.clear();
        script.refuse(5_000);
        assertThat(limiter.tryAcquireAsync(1, Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS))
                .isFalse();
        assertThat(script.calls).hasSize(3);
    }

    @Test
    @DisplayName(
            "async: cancelling ends the wait without another call; closing ends a pending one with the closed error")
    void asyncCancelAndClose() throws Exception {
        ScriptedLimiter script = new ScriptedLimiter().refuse(300);
        RateLimiter limiter = limiter(script);
        CompletableFuture<Boolean> cancelled = limiter.tryAcquireAsync(1, Duration.ofSeconds(20));
        assertThat(cancelled.cancel(false)).isTrue();
        Thread.sleep(800); // on purpose: the time for a wrongly kept timer to make the next call
        assertThat(script.calls).as("no call after the cancel").hasSize(1);
        CompletableFuture<Boolean> closed = limiter.tryAcquireAsync(1, Duration.ofSeconds(20));
        locks.close();
        assertThatThrownBy(() -> closed.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the memory lock manager is closed (rate limiter 'api')");
    }

    @Test
    @DisplayName("engine failures name the engine and the limiter; an engine that does not answer is a backend failure")
    void failures() throws Exception {
        ScriptedLimiter script = new ScriptedLimiter()
                .answer(() -> CompletableFuture.failedFuture(new LockBackendException("engine 'memory' failed")))
                .answer(() -> CompletableFuture.failedFuture(new IllegalArgumentException("bad reply")))
                .answer(CompletableFuture::new);
        RateLimiter limiter = limiter(script);
        assertThatThrownBy(limiter::tryAcquire)
                .isInstanceOf(LockBackendException.class)
                .hasMessage("engine 'memory' failed");
        assertThatThrownBy(limiter::tryAcquire)
                .isInstanceOf(LockBackendException.class)
                .hasMessageStartingWith("engine 'memory' at memory:scripted-")
                .hasMessageEndingWith(" failed to take 1 permit(s) of rate limiter 'api':"
                        + " java.lang.IllegalArgumentException: bad reply");
        assertThatThrownBy(() -> limiter.tryAcquire(1, Duration.ofSeconds(5)))
                .isInstanceOf(LockBackendException.class)
                .hasMessageEndingWith(
                        " did not answer taking 1 permit(s) of rate limiter 'api' within the operation timeout of 300ms");
        assertThatThrownBy(
                        () -> limiter.tryAcquireAsync(1, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(LockBackendException.class)
                .hasMessageEndingWith("within the operation timeout of 300ms");
    }

    /** Until the thread made its first call and sleeps on the manager's close signal. */
    private static void awaitSleeping(Thread sleeper, ScriptedLimiter script) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (script.calls.isEmpty() || sleeper.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).as("the caller to sleep").isNegative();
            Thread.sleep(5);
        }
    }
}
