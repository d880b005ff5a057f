/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockGrant;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The arithmetic of a {@link HeldLock}'s deadline: where a lease's time counts from, the drift
 * margin, and the warning when a watchdog lease runs out. Stateless and thread-safe; nothing here
 * blocks.
 *
 * <h2>The lease deadline</h2>
 *
 * The lease was last confirmed by the backend at a known reading of the ticker: the send time of
 * the request that established it ({@link LockGrant#leaseConfirmedAtNanos()}), then the send time
 * of each renewal the backend accepted. The backend started its own timer no earlier, so the lock
 * is safe until that reading plus the lease, as long as the two clocks run at the same rate; the
 * deadline is that instant less a drift margin ({@link #driftMarginNanos}). Once it has passed the
 * lease is gone as far as the holder can know, whatever any thread has done since: every read of
 * the state checks the ticker, and a timer (the explicit lease's own, or the watchdog's deadline
 * timer) runs the listeners at the deadline. A watchdog lease then becomes {@link LockState#LOST}
 * (as when renewals failed for a whole lease), an explicit lease {@link LockState#EXPIRED}.
 */
final class LeaseDeadlines {
    private static final System.Logger LOG = System.getLogger(HeldLock.class.getName());

    /** The fixed part of the drift margin: the backends count leases in whole milliseconds. */
    private static final long DRIFT_FIXED_NANOS = 2_000_000L;

    private LeaseDeadlines() {}

    /**
     * The margin between the holder's deadline and the earliest moment the backend may free the
     * lock: 1% of the lease plus 2 ms, as Redlock's validity time. The holder's and the server's
     * monotonic clocks may run at slightly different rates (NTP slews each by at most 500 ppm, so
     * two disciplined clocks differ by at most 0.1%; 1% leaves room for worse virtual clocks), and
     * the servers count leases in whole milliseconds (Redis' PX, etcd's and ZooKeeper's tick-based
     * expiry round up, never down).
     */
    static long driftMarginNanos(long leaseNanos) {
        return leaseNanos / 100 + DRIFT_FIXED_NANOS;
    }

    /**
     * When the lease of a grant received at {@code receivedAtNanos} was confirmed: when the backend
     * confirmed it ({@link LockGrant#leaseConfirmedAtNanos()}), or its arrival when the engine
     * cannot tell or reports an instant that is not before it.
     */
    static long confirmedAtNanos(LockGrant grant, long receivedAtNanos) {
        OptionalLong reported = grant.leaseConfirmedAtNanos();
        return reported.isPresent() && reported.getAsLong() - receivedAtNanos < 0
                ? reported.getAsLong()
                : receivedAtNanos;
    }

    /**
     * Logs, when run, that the watchdog lease of lock {@code name} is lost at {@code now}: its
     * deadline passed without a renewal the backend confirmed.
     */
    static Runnable watchdogLeaseRanOut(
            String name, long now, long validUntilNanos, long leaseNanos, long marginNanos) {
        long sinceConfirmed = now - (validUntilNanos - leaseNanos);
        return () -> LOG.log(
                Level.WARNING,
                () -> "lease of lock '" + name + "' is lost: the backend last confirmed it "
                        + Durations.format(Duration.ofNanos(sinceConfirmed)) + " ago, and its lease of "
                        + Durations.format(Duration.ofNanos(leaseNanos)) + " less a drift margin of "
                        + Durations.format(Duration.ofNanos(marginNanos))
                        + " has passed without a renewal it confirmed");
    }
}
