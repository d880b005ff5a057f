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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease deadline, driven by an injected ticker: the manager's threads run in real time and
 * never get to act within these tests (a 30 s watchdog lease renews every 10 s), so whatever
 * {@code isLocked()} says comes from the deadline arithmetic alone.
 */
class LeaseDeadlineTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** 1% of the 30 s lease plus 2 ms. */
    private static final Duration MARGIN = Duration.ofMillis(302);

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final Ticker ticker = now::get;
    private GlobalLockManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private GlobalLockManager manager(UnaryOperator<LockEngine> decorator) {
        manager = GlobalLockManager.builder()
                .engine(MemoryLockEngine.open("deadline-" + UUID.randomUUID()))
                .ticker(ticker)
                .watchdogLease(LEASE)
                .decorateEngine(decorator)
                .build();
        return manager;
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    /** Renewals are sent and never answered. */
    private static LockEngine renewalsHang(LockEngine engine) {
        return new ForwardingLockEngine(engine) {
            @Override
            public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                return new CompletableFuture<>();
            }
        };
    }

    /** Renewals and releases are sent and never answered. */
    private static LockEngine renewalsAndReleasesHang(LockEngine engine) {
        return new ForwardingLockEngine(renewalsHang(engine)) {
            @Override
            public CompletableFuture<Void> release(LockGrant grant) {
                return new CompletableFuture<>();
            }
        };
    }

    @Test
    void aWatchdogLeaseIsLostAtItsDeadlineWithoutAnyThreadHavingRun() {
        GlobalLockManager locks = manager(LeaseDeadlineTest::renewalsHang);
        LockHandle held = locks.lock("frozen");

        advance(LEASE.minus(MARGIN).minusMillis(1));
        assertThat(held.isLocked()).as("1 ms before the deadline").isTrue();
        assertThat(held.state()).isEqualTo(LockState.HELD);

        advance(Duration.ofMillis(1));
        assertThat(held.isLocked())
                .as("at the deadline, with no renewal confirmed")
                .isFalse();
        assertThat(held.state()).isEqualTo(LockState.LOST);
        assertThatThrownBy(held::release).isInstanceOf(LockLostException.class).hasMessageContaining("'frozen'");
    }

    @Test
    void aReleaseRightAfterTheDeadlineReportsTheLossBeforeAnyoneElseLookedAtTheHandle() {
        GlobalLockManager locks = manager(LeaseDeadlineTest::renewalsHang);
        LockHandle held = locks.lock("woken");
        advance(LEASE); // a freeze longer than the lease: the first thing the holder does is release
        assertThatThrownBy(held::release)
                .isInstanceOf(LockLostException.class)
                .hasMessageContaining("was lost before it was released");
    }

    @Test
    void theLeaseCountsFromWhenTheGrantingRequestWasSentNotFromItsReply() {
        Duration replyTook = Duration.ofSeconds(5);
        GlobalLockManager locks = manager(engine -> new ForwardingLockEngine(renewalsHang(engine)) {
            @Override
            public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
                // the memory engine grants at once; the reply then takes 5 s to come back
                return super.acquire(request).thenApply(grant -> {
                    advance(replyTook);
                    return grant;
                });
            }
        });
        LockHandle held = locks.lock("slow-reply");
        advance(LEASE.minus(MARGIN).minus(replyTook).minusMillis(1));
        assertThat(held.isLocked()).as("1 ms before sent + lease - margin").isTrue();
        advance(Duration.ofMillis(1));
        assertThat(held.isLocked())
                .as("at sent + lease - margin, although the reply came 5 s after the request was sent")
                .isFalse();
    }

    @Test
    void anExplicitLeaseExpiresAtItsDeadlineBeforeItsTimerRuns() {
        GlobalLockManager locks = manager(UnaryOperator.identity());
        Duration lease = Duration.ofSeconds(10);
        LockHandle held =
                locks.lock("explicit", LockOptions.builder().leaseTime(lease).build());
        advance(lease.minusMillis(102).minusMillis(1)); // the margin: 1% of 10 s plus 2 ms
        assertThat(held.state()).isEqualTo(LockState.HELD);
        advance(Duration.ofMillis(1));
        assertThat(held.isLocked()).isFalse();
        assertThat(held.state()).isEqualTo(LockState.EXPIRED);
        assertThat(held.lost()).isCompleted();
    }

    @Test
    void aLeasePastItsDeadlineIsNotReenteredAndListenersAddedLateRunAtOnce() {
        GlobalLockManager locks = manager(LeaseDeadlineTest::renewalsAndReleasesHang);
        LockHandle held = locks.lock("reentered");
        advance(LEASE);
        AtomicInteger told = new AtomicInteger();
        held.onLost(told::incrementAndGet);
        assertThat(told).as("a listener added after the deadline").hasValue(1);
        try (LockHandle again = locks.tryLock("reentered")) {
            // the backend still has the first grant (its own clock did not move, and the manager's
            // release of the gone lease never completes): no reentry onto
            // a lease that may be gone, so this is a fresh attempt, which finds the lock taken
            assertThat(again.isLocked()).isFalse();
        }
        assertThat(held.holdCount()).isEqualTo(1);
    }

    @Test
    void aHandleOpenWhenTheLossWasNoticedHearsOfItEvenIfReleasedBeforeItsListenerRuns() throws Exception {
        GlobalLockManager locks = manager(LeaseDeadlineTest::renewalsHang);
        LockHandle first = locks.lock("busy-listener");
        LockHandle second = locks.lock("released-at-once");
        CountDownLatch firstListenerRunning = new CountDownLatch(1);
        CountDownLatch letFirstListenerGo = new CountDownLatch(1);
        CountDownLatch secondTold = new CountDownLatch(1);
        first.onLost(() -> {
            firstListenerRunning.countDown();
            try {
                letFirstListenerGo.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        second.onLost(secondTold::countDown);

        advance(LEASE);
        assertThat(first.isLocked()).isFalse(); // its listener now occupies the manager's one listener thread
        assertThat(firstListenerRunning.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(second.isLocked())
                .as("the loss noticed while the handle is open")
                .isFalse();
        assertThatThrownBy(second::release).isInstanceOf(LockLostException.class); // before its listener ran
        letFirstListenerGo.countDown();

        assertThat(secondTold.await(10, TimeUnit.SECONDS))
                .as("onLost of a handle that was open when its loss was noticed, released before the listener ran")
                .isTrue();
        first.close();
    }

    @Test
    void aLeaseGoneByItsDeadlineIsLetGoOfOnTheBackendOnce() throws Exception {
        String namespace = "deadline-release-" + UUID.randomUUID();
        AtomicInteger releases = new AtomicInteger();
        manager = GlobalLockManager.builder()
                .engine(MemoryLockEngine.open(namespace))
                .ticker(ticker)
                .watchdogLease(LEASE)
                .decorateEngine(engine -> new ForwardingLockEngine(renewalsHang(engine)) {
                    @Override
                    public CompletableFuture<Void> release(LockGrant grant) {
                        releases.incrementAndGet();
                        return super.release(grant);
                    }
                })
                .build();
        LockHandle held = manager.lock("stuck");
        advance(LEASE);
        assertThat(held.isLocked()).as("past the deadline").isFalse();

        // the memory engine keeps the grant for the whole 30 s lease unless the manager lets it go
        try (GlobalLockManager other = GlobalLockManager.builder()
                        .engine(MemoryLockEngine.open(namespace))
                        .build();
                LockHandle taken = other.lock(
                        "stuck",
                        LockOptions.builder().waitTime(Duration.ofSeconds(10)).build())) {
            assertThat(taken.isLocked())
                    .as("free on the backend soon after the deadline")
                    .isTrue();
            assertThatThrownBy(held::release).isInstanceOf(LockLostException.class);
            assertThat(releases.get())
                    .as("releases sent: the deadline's, not the holder's")
                    .isEqualTo(1);
            assertThat(taken.isLocked()).isTrue();
        }
    }
}
