/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * What one refusal from the engine proves: a request for {@code permits} or more cannot fit before
 * {@code until} (this manager's ticker). Immutable; a limiter handle keeps the latest in a volatile
 * field, so checking it allocates nothing.
 *
 * <p>Why it holds: the engine answered, by the backend's clock at its decision, that {@code
 * permits} fit in {@code wait} at the earliest. Other clients can only add to a limiter's record
 * (log entries, counts), and more entries or counts only move that moment later, for every
 * request of as many or more permits (both algorithms: the exact log's count at any later time,
 * and the approximate window's weighted count, only grow with what is added). The request was sent
 * no later than the backend decided, so {@code sent + wait} is no later than that moment; a margin
 * of 1% of the wait covers the two clocks' rates. A backend that forgets permits (a restart
 * without persistence, a failover that lost writes, its clock stepped forward) may admit earlier:
 * then a remembered refusal refuses what the backend would admit, never admits anything, and for
 * at most the wait it was given (within one window for the exact log, two for the approximate).
 */
final class KnownRefusal {
    /** The share of the reported wait not counted on: 1/100, for the clocks' rates. */
    static final long MARGIN_DIVISOR = 100;

    final int permits;
    final long until;

    private KnownRefusal(int permits, long until) {
        this.permits = permits;
        this.until = until;
    }

    /** A refusal of {@code permits}, sent at {@code sent}, that said they fit in {@code waitNanos}. */
    static KnownRefusal of(int permits, long sent, long waitNanos) {
        return new KnownRefusal(permits, sent + waitNanos - waitNanos / MARGIN_DIVISOR);
    }

    /**
     * Whether {@code known} (may be null) proves that {@code permits} asked for at {@code now} cannot
     * fit within {@code waitNanos}.
     */
    static boolean refuses(KnownRefusal known, int permits, long now, long waitNanos) {
        return known != null && permits >= known.permits && known.until - now > Math.max(0, waitNanos);
    }

    @Override
    public String toString() {
        return "KnownRefusal{" + permits + " permit(s) until " + until + "}";
    }
}
