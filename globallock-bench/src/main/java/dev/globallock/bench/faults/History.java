/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import java.util.List;
import java.util.Objects;

/**
 * Everything one fault run recorded, as the checker reads it. Every time is a {@link
 * System#nanoTime()} reading: on Linux that is {@code CLOCK_MONOTONIC}, one clock for every process
 * of the host, so the workers' own readings (when a call started, when it returned) and the
 * coordinator's (when the store received a write, when a signal was sent) are on one time line.
 * The coordinator checks this at each worker's handshake.
 *
 * @param leaseNanos the lease the engines were configured with (watchdog lease, ZooKeeper session)
 * @param start when the run began (workers started)
 * @param end when the run ended (every worker stopped)
 * @param grants every acquisition a worker reported
 * @param releases every release a worker reported (its start and outcome)
 * @param writes every write attempt on the fenced store, in the store's order
 * @param lostSignals every lost-lease signal ({@code onLost}) a worker reported
 * @param failures every acquisition attempt that ended without the lock
 * @param faults every fault the coordinator injected
 */
record History(
        long leaseNanos,
        long start,
        long end,
        List<Grant> grants,
        List<Release> releases,
        List<Write> writes,
        List<LostSignal> lostSignals,
        List<Failure> failures,
        List<Fault> faults) {

    History {
        grants = List.copyOf(grants);
        releases = List.copyOf(releases);
        writes = List.copyOf(writes);
        lostSignals = List.copyOf(lostSignals);
        failures = List.copyOf(failures);
        faults = List.copyOf(faults);
    }

    /** One acquisition: worker {@code worker}'s {@code seq}-th attempt. */
    record HoldId(int worker, int seq) {
        @Override
        public String toString() {
            return "w" + worker + "#" + seq;
        }
    }

    /**
     * A granted acquisition.
     *
     * @param callStart when the worker called {@code lock()}
     * @param acquired when {@code lock()} returned the handle
     */
    record Grant(HoldId hold, long token, long callStart, long acquired) {
        Grant {
            Objects.requireNonNull(hold, "hold");
        }
    }

    /**
     * A release.
     *
     * @param releasing when the worker was about to call {@code release()} (its hold ends here)
     * @param released when {@code release()} returned or threw
     * @param outcome {@code ok}, {@code lost} (it threw {@code LockLostException}) or {@code
     *     error:<exception class>}
     */
    record Release(HoldId hold, long releasing, long released, String outcome) {}

    /**
     * One write attempt on the fenced store.
     *
     * @param order the store's sequence number: the store is one lock, so this is the linearization
     * @param phase {@code begin} (right after the grant) or {@code end} (after holding, before release)
     * @param believedHeld what {@code isLocked()} said just before the write was sent
     * @param checkedAt when that {@code isLocked()} was read (worker's reading)
     * @param start when the store received the write
     * @param end when the store decided (accepted or rejected)
     * @param accepted false when its token was lower than the highest accepted one (fenced)
     */
    record Write(
            long order,
            HoldId hold,
            long token,
            String phase,
            boolean believedHeld,
            long checkedAt,
            long start,
            long end,
            boolean accepted) {}

    /** An {@code onLost} listener firing, with the handle's state then. */
    record LostSignal(HoldId hold, long at, String state) {}

    /** An acquisition attempt that ended without the lock ({@code kind}: the exception's simple name). */
    record Failure(int worker, long callStart, long at, String kind) {}

    /** What the coordinator did. */
    enum FaultKind {
        /** SIGKILL of a worker that held the lock; a replacement worker is started. */
        KILL_HOLDER,
        /** SIGSTOP of a worker that held the lock, SIGCONT after longer than the lease. */
        FREEZE_HOLDER,
        /** Something done to the servers (restart, freeze, failover, leader killed). */
        SERVER,
        /** A worker that did not stop at the end of the run within the bound, killed. */
        STOP_KILL
    }

    /**
     * One injected fault.
     *
     * @param worker the worker it hit, or -1 for a server fault
     * @param start when the signal was sent (or the server fault began)
     * @param end when it was over (SIGCONT sent, server back), {@code start} for a kill
     */
    record Fault(FaultKind kind, String label, int worker, long start, long end, String detail) {}
}
