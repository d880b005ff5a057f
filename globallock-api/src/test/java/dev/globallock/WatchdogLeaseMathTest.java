/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The watchdog's lease arithmetic, driven by an injected ticker: no sleeping. */
class WatchdogLeaseMathTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;
    private final MemoryLockEngine engine = started(MemoryLockEngine.open("watchdog-math-" + UUID.randomUUID()));

    /** The engine stamps its grants with the injected ticker, as under a manager. */
    private MemoryLockEngine started(MemoryLockEngine memory) {
        memory.start(new EngineContext() {
            @Override
            public ScheduledExecutorService scheduler() {
                throw new UnsupportedOperationException("the memory engine schedules nothing of the manager's");
            }

            @Override
            public Ticker ticker() {
                return ticker;
            }
        });
        return memory;
    }

    private HeldLock acquire(String key, boolean watchdog) {
        HeldLock lease = new HeldLock(key, key, watchdog, LEASE.toNanos(), ticker);
        AcquireRequest.Builder request =
                AcquireRequest.builder().name(key).singleAttempt().listener(lease);
        LockGrant grant = engine.acquire((watchdog ? request.watchdogLease(LEASE) : request.leaseTime(LEASE)).build())
                .join();
        lease.granted(grant, ticker.read());
        return lease;
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    @Test
    void successfulRenewalsKeepTheLeaseAndFailedOnesLoseItAfterOneLease() {
        HeldLock lease = acquire("renewed", true);
        AtomicInteger lost = new AtomicInteger();
        lease.onLost(lost::incrementAndGet);
        Watchdog watchdog = new Watchdog(engine, ticker, () -> List.of(lease), LEASE.toNanos());

        advance(Duration.ofSeconds(10));
        watchdog.tick();
        assertThat(lease.validUntilNanos() - now.get()).isEqualTo(LEASE.toNanos());

        engine.abandon(); // every renewal fails from now on: the backend cannot be reached
        advance(Duration.ofSeconds(10));
        watchdog.tick();
        advance(Duration.ofSeconds(19));
        watchdog.tick();
        assertThat(lease.state()).as("29 s after the last good renewal").isEqualTo(LockState.HELD);

        advance(Duration.ofSeconds(2));
        watchdog.tick();
        assertThat(lease.state()).as("31 s after the last good renewal").isEqualTo(LockState.LOST);
        assertThat(lost.get()).isEqualTo(1);
        watchdog.tick();
        assertThat(lost.get()).as("listeners run once").isEqualTo(1);
    }

    @Test
    void aRenewalTheBackendRefusesLosesTheLeaseAtOnce() {
        HeldLock lease = acquire("refused", true);
        Watchdog watchdog = new Watchdog(engine, ticker, () -> List.of(lease), LEASE.toNanos());
        engine.forget("refused");
        watchdog.tick();
        assertThat(lease.state()).isEqualTo(LockState.LOST);
        assertThat(lease.lostFuture()).isCompleted();
    }

    @Test
    void explicitLeasesAreNotRenewedAndEndAsExpiredWhenTheirTimeIsUp() {
        HeldLock lease = acquire("explicit", false);
        AtomicInteger renewals = new AtomicInteger();
        LockEngine counting = new ForwardingLockEngine(engine) {
            @Override
            public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                renewals.incrementAndGet();
                return super.renew(grants);
            }
        };
        Watchdog watchdog = new Watchdog(counting, ticker, () -> List.of(lease), LEASE.toNanos());
        advance(LEASE.plusSeconds(5));
        watchdog.tick();
        assertThat(renewals).as("the watchdog leaves explicit leases alone").hasValue(0);
        // past its deadline an explicit lease reads as expired, whether or not its timer has run
        assertThat(lease.state()).isEqualTo(LockState.EXPIRED);
        lease.leaseLost(new LockLostException("explicit", "the backend dropped it"));
        assertThat(lease.state()).isEqualTo(LockState.EXPIRED);
    }

    @Test
    void anExplicitLeaseTheBackendDropsEarlyWasLostNotExpired() {
        HeldLock lease = acquire("early", false);
        advance(LEASE.minusSeconds(5));
        lease.leaseLost(new LockLostException("early", "the backend dropped it"));
        assertThat(lease.state()).isEqualTo(LockState.LOST);
    }

    @Test
    void uncertainOwnershipStillCountsAsLockedUntilConfirmedOrLost() {
        HeldLock lease = acquire("uncertain", true);
        lease.ownershipUncertain();
        assertThat(lease.state()).isEqualTo(LockState.UNCERTAIN);
        assertThat(lease.state().isLocked()).isTrue();
        lease.ownershipConfirmed();
        assertThat(lease.state()).isEqualTo(LockState.HELD);
        lease.ownershipUncertain();
        lease.leaseLost(null);
        assertThat(lease.state()).isEqualTo(LockState.LOST);
        lease.ownershipConfirmed();
        assertThat(lease.state()).as("a lost lease never comes back").isEqualTo(LockState.LOST);
    }

    @Test
    void aLossReportedBeforeTheGrantLandsIsAppliedOnGrant() {
        HeldLock lease = new HeldLock("racy", "racy", true, LEASE.toNanos(), ticker);
        lease.leaseLost(new LockLostException("racy", "session expired"));
        assertThat(lease.state()).isEqualTo(LockState.NOT_ACQUIRED);
        LockGrant grant = engine.acquire(AcquireRequest.builder()
                        .name("racy")
                        .watchdogLease(LEASE)
                        .singleAttempt()
                        .listener(lease)
                        .build())
                .join();
        lease.granted(grant, ticker.read());
        assertThat(lease.state()).isEqualTo(LockState.LOST);
    }
}
