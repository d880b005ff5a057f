/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockInterruptedException;
import dev.globallock.RateLimiter;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rate limiter, for engines that declare {@link Capability#RATE_LIMITER}: never more than the
 * limit in any window across managers, permits coming back as the window slides (not at a
 * boundary), waits that end within their bound and are interruptible, both algorithms. An engine
 * without the capability skips these and instead checks that asking is a clear error naming it.
 *
 * <p>The group "11. rate limiter" of {@link LockEngineCompatibilityKit}.
 */
abstract class RateLimiterClause {
    private final KitContext kit;

    RateLimiterClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    private GlobalLockManager managerWithRateLimiter() {
        GlobalLockManager manager = kit.manager();
        assumeTrue(
                manager.capabilities().has(Capability.RATE_LIMITER),
                "the engine declares no RATE_LIMITER capability: see withoutTheCapabilityAskingIsAClearError");
        return manager;
    }

    @Test
    @DisplayName("two managers, four threads: never more than the limit in any window, and it keeps admitting")
    void neverMoreThanTheLimit() throws Exception {
        GlobalLockManager one = managerWithRateLimiter();
        GlobalLockManager two = kit.manager();
        int permits = 10;
        Duration window = Duration.ofMillis(400);
        List<RateLimiter> limiters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            limiters.add((t % 2 == 0 ? one : two).rateLimiter("hammered", permits, window));
        }
        Duration run = Duration.ofMillis(1_500);
        GrantLog log = GrantLog.hammer(limiters, run);
        log.assertNeverMoreThan(permits, window);
        assertThat(log.grants())
                .as("admitted again as the window moved: more than one window's worth in " + run)
                .isGreaterThan(permits)
                .isLessThanOrEqualTo(permits * (int) (run.toMillis() / window.toMillis() + 2));
        assertThat(log.refusals())
                .as("the threads asked for more than the limit")
                .isPositive();
    }

    @Test
    @DisplayName("exact: a permit comes back one window after it was taken, the others stay taken (no boundary reset)")
    void permitsComeBackAsTheWindowSlides() {
        GlobalLockManager manager = managerWithRateLimiter();
        Duration window = Duration.ofSeconds(2);
        RateLimiter limiter = manager.rateLimiter("sliding", 3, window);
        long first = System.nanoTime(); // the permit's time on the backend is no earlier than this
        assertThat(limiter.tryAcquire()).isTrue();
        long firstAnswered = System.nanoTime(); // and no later than this (a first call may open connections)
        Await.pause(Duration.ofSeconds(1), "the next two permits are taken half a window later");
        long pair = System.nanoTime();
        assertThat(limiter.tryAcquire(2)).isTrue();
        assertThat(limiter.tryAcquire()).as("full").isFalse();
        assertThat(limiter.availablePermits()).isZero();
        Duration untilOne = limiter.timeUntilAvailable(1);
        assertThat(untilOne)
                .as("the first permit leaves one window after it was taken")
                .isPositive()
                .isLessThanOrEqualTo(window.minusNanos(pair - firstAnswered).plusMillis(100));
        assertThat(limiter.timeUntilAvailable(2))
                .as("two fit only once the pair leaves")
                .isGreaterThan(untilOne);

        assertThat(limiter.tryAcquire(1, kit.patience()))
                .as("the first permit slid out")
                .isTrue();
        long slid = System.nanoTime();
        boolean again = limiter.tryAcquire();
        if (System.nanoTime() - pair < window.toNanos()) {
            assertThat(again)
                    .as("the pair taken half a window later still counts: the window slides")
                    .isFalse();
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(slid - first))
                .as("not before the first permit's window passed")
                .isGreaterThanOrEqualTo(window.toMillis() - 50);
        assertThat(limiter.tryAcquire(2, kit.patience()))
                .as("and the pair slides out in its turn")
                .isTrue();
    }

    @Test
    @DisplayName("tryAcquire(n, wait): false at once when the permits cannot fit within the wait, true when they do")
    void waitsEndWithinTheirBound() {
        GlobalLockManager manager = managerWithRateLimiter();
        Duration window = Duration.ofSeconds(1);
        RateLimiter limiter = manager.rateLimiter("bounded", 2, window);
        long taken = System.nanoTime();
        assertThat(limiter.tryAcquire(2)).isTrue();
        long start = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofMillis(200))).isFalse();
        assertThat(KitContext.millisSince(start))
                .as("returns within the wait (plus one backend call)")
                .isLessThan(200 + 1_000);
        start = System.nanoTime();
        assertThat(limiter.tryAcquire(2, Duration.ofSeconds(5))).isTrue();
        assertThat(KitContext.millisSince(taken))
                .as("granted when the window freed the permits")
                .isGreaterThanOrEqualTo(window.toMillis() - 50);
        assertThat(KitContext.millisSince(start)).isLessThan(5_000);
    }

    @Test
    @DisplayName("a thread interrupted while it waits gets LockInterruptedException with its flag set")
    void interruptedWaitsRestoreTheFlag() throws Exception {
        GlobalLockManager manager = managerWithRateLimiter();
        RateLimiter limiter = manager.rateLimiter("interrupted", 1, Duration.ofSeconds(10));
        assertThat(limiter.tryAcquire()).isTrue();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                limiter.tryAcquire(1, Duration.ofSeconds(30));
                outcome.complete(new AssertionError("acquired although the permit was taken"));
            } catch (Throwable e) {
                outcome.complete(
                        Thread.currentThread().isInterrupted() ? e : new AssertionError("the flag was cleared", e));
            }
        });
        waiter.start();
        try {
            kit.awaitTrue("the waiter to sleep", () -> waiter.getState() == Thread.State.TIMED_WAITING);
            waiter.interrupt();
            assertThat(outcome.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(LockInterruptedException.class)
                    .hasMessageContaining("rate limiter 'interrupted'");
        } finally {
            waiter.interrupt();
            waiter.join(kit.patience().toMillis());
        }
    }

    @Test
    @DisplayName("tryAcquireAsync waits without a thread and completes when the permits fit")
    void asyncWaits() throws Exception {
        GlobalLockManager manager = managerWithRateLimiter();
        Duration window = Duration.ofSeconds(1);
        RateLimiter limiter = manager.rateLimiter("async", 1, window);
        long firstAsked = System.nanoTime();
        assertThat(limiter.tryAcquireAsync(1, Duration.ZERO).get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        boolean second =
                limiter.tryAcquireAsync(1, Duration.ZERO).get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        if (System.nanoTime() - firstAsked < window.toNanos()) { // else the first permit may have left already
            assertThat(second).as("a second permit within the window").isFalse();
        }
        assertThat(limiter.tryAcquireAsync(1, kit.patience()).get(kit.patience().toMillis() * 2, TimeUnit.MILLISECONDS))
                .isTrue();
    }

    @Test
    @DisplayName("availablePermits and timeUntilAvailable read without taking")
    void readsTakeNothing() {
        GlobalLockManager manager = managerWithRateLimiter();
        Duration window = Duration.ofSeconds(30);
        RateLimiter limiter = manager.rateLimiter("read", 5, window);
        assertThat(limiter.availablePermits()).isEqualTo(5);
        assertThat(limiter.timeUntilAvailable(5)).isZero();
        assertThat(limiter.tryAcquire(2)).isTrue();
        assertThat(limiter.availablePermits()).isEqualTo(3);
        assertThat(limiter.availablePermits()).as("reading took nothing").isEqualTo(3);
        assertThat(limiter.timeUntilAvailable(3)).isZero();
        assertThat(limiter.timeUntilAvailable(4)).isPositive().isLessThanOrEqualTo(window);
        assertThat(kit.manager().rateLimiter("read", 5, window).availablePermits())
                .as("another manager sees the same count")
                .isEqualTo(3);
    }

    @Test
    @DisplayName("approximate: limits in O(1) per limiter, apart from an exact limiter of the same name")
    void approximateLimits() {
        GlobalLockManager manager = managerWithRateLimiter();
        Duration window = Duration.ofSeconds(30);
        RateLimiter approximate = manager.rateLimiter("approx", 5, window, RateLimiter.Algorithm.APPROXIMATE);
        assertThat(approximate.algorithm()).isEqualTo(RateLimiter.Algorithm.APPROXIMATE);
        assertThat(approximate.tryAcquire(3)).isTrue();
        assertThat(kit.manager()
                        .rateLimiter("approx", 5, window, RateLimiter.Algorithm.APPROXIMATE)
                        .tryAcquire(2))
                .as("another manager counts on the same record")
                .isTrue();
        assertThat(approximate.tryAcquire()).isFalse();
        assertThat(approximate.availablePermits()).isZero();
        assertThat(approximate.timeUntilAvailable(1)).isPositive().isLessThanOrEqualTo(window.multipliedBy(2));
        assertThat(manager.rateLimiter("approx", 5, window).availablePermits())
                .as("the exact limiter of the same name is another record")
                .isEqualTo(5);
    }

    @Test
    @DisplayName("an engine without the capability: asking for a rate limiter is a clear error naming the engine")
    void withoutTheCapabilityAskingIsAClearError() {
        GlobalLockManager manager = kit.manager();
        assumeFalse(manager.capabilities().has(Capability.RATE_LIMITER), "the engine has rate limiters");
        assertThatThrownBy(() -> manager.rateLimiter("api", 10, Duration.ofSeconds(1)))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("engine '" + manager.engineName() + "' at ")
                .hasMessageContaining("has no rate limiter")
                .hasMessageContaining("rate limiter 'api' cannot be made");
    }
}
