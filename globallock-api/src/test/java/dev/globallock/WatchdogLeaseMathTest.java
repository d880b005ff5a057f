package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The watchdog's lease arithmetic, driven by an injected ticker: no sleeping. */
class WatchdogLeaseMathTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;
    private final MemoryLockEngine engine = MemoryLockEngine.open("watchdog-math-" + UUID.randomUUID());

    private HeldLock acquire(String key, boolean watchdog) {
        HeldLock lease = new HeldLock(key, key, watchdog, LEASE.toNanos(), null, ticker);
        LockGrant grant = engine.acquire(new AcquireRequest(key, key, LEASE, watchdog, true, lease))
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
        Watchdog watchdog = new Watchdog(engine, ticker, () -> List.of(lease), LEASE.toNanos());
        advance(LEASE.plusSeconds(5));
        watchdog.tick();
        assertThat(lease.state())
                .as("the watchdog leaves explicit leases alone")
                .isEqualTo(LockState.HELD);
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
        HeldLock lease = new HeldLock("racy", "racy", true, LEASE.toNanos(), null, ticker);
        lease.leaseLost(new LockLostException("racy", "session expired"));
        assertThat(lease.state()).isEqualTo(LockState.NOT_ACQUIRED);
        LockGrant grant = engine.acquire(new AcquireRequest("racy", "racy", LEASE, true, true, lease))
                .join();
        lease.granted(grant, ticker.read());
        assertThat(lease.state()).isEqualTo(LockState.LOST);
    }
}
