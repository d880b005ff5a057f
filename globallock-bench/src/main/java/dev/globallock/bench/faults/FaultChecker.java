/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import dev.globallock.bench.faults.History.Fault;
import dev.globallock.bench.faults.History.FaultKind;
import dev.globallock.bench.faults.History.Grant;
import dev.globallock.bench.faults.History.HoldId;
import dev.globallock.bench.faults.History.LostSignal;
import dev.globallock.bench.faults.History.Release;
import dev.globallock.bench.faults.History.Write;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a {@link History} and says what went wrong. Pure logic, no I/O.
 *
 * <ul>
 *   <li><b>Violation</b>: the store accepted writes of two holds interleaved (A, then B, then A
 *       again). The store is linearizable (one lock, one sequence number), so its order is the
 *       truth. With the store's fencing rule (a token lower than the highest accepted one is
 *       rejected) that can only happen when two grants share a token, i.e. when fencing was
 *       defeated; it must never happen.
 *   <li><b>Token duplicate</b>: two grants with the same token. <b>Token regression</b>: a grant
 *       whose {@code lock()} call started after another grant's had returned, with a lower token
 *       (the contract: every token is greater than every token issued before it).
 *   <li><b>Overlapped hold</b>: a hold during which another worker's {@code lock()} returned before
 *       this one had begun its release (a frozen holder, a restarted server, a failover): two
 *       processes believed they held the lock, which would hurt an application that does not use the
 *       token. Not a violation by itself when the old holder's writes are fenced.
 *   <li><b>Fenced stale write</b>: a write the store rejected by token; "unaware" when the writer's
 *       {@code isLocked()} still said true just before it.
 *   <li><b>Crash-to-free</b>: from the SIGKILL of a holder to the next grant to another worker.
 *   <li><b>Actual loss</b>: a hold whose lease the checker knows was gone: frozen longer than the
 *       lease, overlapped by another grant, or fenced at the store. How it was told, the first that
 *       applies: its {@code onLost} fired before its release began; {@code isLocked()} said false at
 *       a write after the loss; {@code release()} threw {@code LockLostException}; never. <b>Unaware
 *       writes</b>: its writes after the loss for which {@code isLocked()} still said true.
 * </ul>
 */
final class FaultChecker {

    private FaultChecker() {}

    /** What the checker found. Lists hold one readable line per finding. */
    record Result(
            int acquisitions,
            Map<String, Integer> failures,
            List<String> violations,
            List<String> tokenDuplicates,
            List<String> tokenRegressions,
            int overlappedHolds,
            int staleWrites,
            int staleWritesUnaware,
            List<Long> crashToFreeNanos,
            List<String> holderFaults,
            int lostSignals,
            int actualLosses,
            int lossesToldByListener,
            int lossesToldByState,
            int lossesToldOnlyAtRelease,
            int lossesNeverTold,
            int unawareWritesAfterLoss,
            int signalsWithoutEvidence,
            List<String> lossDetails) {

        /** No violation, no duplicate or regressing token. */
        boolean safe() {
            return violations.isEmpty() && tokenDuplicates.isEmpty() && tokenRegressions.isEmpty();
        }

        /** Nearest-rank percentile of the crash-to-free times, or -1 when there are none. */
        long crashToFreePercentile(double p) {
            if (crashToFreeNanos.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(crashToFreeNanos);
            sorted.sort(Comparator.naturalOrder());
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
        }
    }

    static Result check(History history) {
        Map<HoldId, Grant> grants = new LinkedHashMap<>();
        for (Grant grant : history.grants()) {
            grants.put(grant.hold(), grant);
        }
        Map<HoldId, Release> releases = new HashMap<>();
        for (Release release : history.releases()) {
            releases.put(release.hold(), release);
        }
        Map<HoldId, Long> ends = new HashMap<>();
        for (Grant grant : grants.values()) {
            ends.put(grant.hold(), holdEnd(history, grant, releases.get(grant.hold())));
        }
        Map<String, Integer> failures = new TreeMap<>();
        history.failures().forEach(f -> failures.merge(f.kind(), 1, Integer::sum));

        List<String> violations = violations(history);
        List<String> duplicates = tokenDuplicates(grants.values());
        List<String> regressions = tokenRegressions(history, grants.values());

        // overlapping grants, and the earliest moment each overlapped hold is known to have lost its lease
        Map<HoldId, Long> lossAt = new HashMap<>();
        Map<HoldId, String> lossWhy = new HashMap<>();
        int overlapping = 0;
        for (Grant a : grants.values()) {
            long end = ends.get(a.hold());
            boolean overlapped = false;
            for (Grant b : grants.values()) {
                if (b != a && b.acquired() > a.acquired() && b.acquired() < end) {
                    overlapped = true;
                    noteLoss(lossAt, lossWhy, a.hold(), b.acquired(), "overlapped by " + b.hold());
                }
            }
            if (overlapped) {
                overlapping++;
            }
        }
        // holds frozen past their lease
        List<String> holderFaults = new ArrayList<>();
        for (Fault fault : history.faults()) {
            if (fault.kind() != FaultKind.FREEZE_HOLDER) {
                continue;
            }
            Grant frozen = null;
            for (Grant grant : grants.values()) {
                if (grant.hold().worker() == fault.worker() && activeAt(grant, ends, fault.start())) {
                    frozen = grant;
                }
            }
            String frozenFor = seconds(fault.end() - fault.start());
            if (frozen == null) {
                holderFaults.add("freeze of w" + fault.worker() + " at " + at(history, fault.start())
                        + ": it was not holding (released just before), not counted");
            } else if (fault.end() - fault.start() <= history.leaseNanos()) {
                holderFaults.add("freeze of " + frozen.hold() + " at " + at(history, fault.start()) + " for "
                        + frozenFor + " s: not longer than the lease, not counted as a loss");
            } else {
                holderFaults.add("freeze of " + frozen.hold() + " (token " + frozen.token() + ") at "
                        + at(history, fault.start()) + " for " + frozenFor + " s");
                noteLoss(
                        lossAt,
                        lossWhy,
                        frozen.hold(),
                        fault.start() + history.leaseNanos(),
                        "frozen " + frozenFor + " s");
            }
        }
        // stale writes
        int stale = 0;
        int staleUnaware = 0;
        for (Write write : history.writes()) {
            if (!write.accepted()) {
                stale++;
                if (write.believedHeld()) {
                    staleUnaware++;
                }
                noteLoss(lossAt, lossWhy, write.hold(), write.start(), "fenced at the store");
            }
        }

        // crash-to-free
        List<Long> crashToFree = new ArrayList<>();
        for (Fault fault : history.faults()) {
            if (fault.kind() != FaultKind.KILL_HOLDER) {
                continue;
            }
            Grant killed = null;
            for (Grant grant : grants.values()) {
                if (grant.hold().worker() == fault.worker() && activeAt(grant, ends, fault.start())) {
                    killed = grant;
                }
            }
            if (killed == null) {
                holderFaults.add("kill of w" + fault.worker() + " at " + at(history, fault.start())
                        + ": it was not holding (released just before), not counted");
                continue;
            }
            Grant next = null;
            for (Grant grant : grants.values()) {
                if (grant.hold().worker() != fault.worker()
                        && grant.acquired() > fault.start()
                        && (next == null || grant.acquired() < next.acquired())) {
                    next = grant;
                }
            }
            if (next == null) {
                holderFaults.add("kill of " + killed.hold() + " at " + at(history, fault.start())
                        + ": no other worker acquired before the run ended");
                continue;
            }
            long free = next.acquired() - fault.start();
            crashToFree.add(free);
            holderFaults.add("kill of " + killed.hold() + " (token " + killed.token() + ") at "
                    + at(history, fault.start()) + ": " + next.hold() + " acquired " + seconds(free) + " s later");
        }

        // lost-lease signals against actual losses
        Map<HoldId, LostSignal> signals = new HashMap<>();
        for (LostSignal signal : history.lostSignals()) {
            signals.putIfAbsent(signal.hold(), signal);
        }
        int toldByListener = 0;
        int toldByState = 0;
        int toldAtRelease = 0;
        int neverTold = 0;
        int unaware = 0;
        List<String> lossDetails = new ArrayList<>();
        for (Map.Entry<HoldId, Long> loss : lossAt.entrySet()) {
            HoldId hold = loss.getKey();
            long end = ends.getOrDefault(hold, history.end());
            LostSignal signal = signals.get(hold);
            Release release = releases.get(hold);
            int unawareWrites = 0;
            boolean stateSaidLost = false;
            for (Write write : history.writes()) {
                if (write.hold().equals(hold) && write.checkedAt() > loss.getValue()) {
                    if (write.believedHeld()) {
                        unawareWrites++;
                    } else {
                        stateSaidLost = true;
                    }
                }
            }
            unaware += unawareWrites;
            String how;
            if (signal != null && signal.at() <= end) {
                toldByListener++;
                how = told(signal.at() - loss.getValue());
            } else if (stateSaidLost) {
                toldByState++;
                how = "isLocked() said false at its next write, but onLost did not fire before its release";
            } else if (release != null && "lost".equals(release.outcome())) {
                toldAtRelease++;
                how = "told only by release()";
            } else {
                neverTold++;
                how = "never told"
                        + (release == null
                                ? " (no release)"
                                : " (release() "
                                        + ("ok".equals(release.outcome()) ? "returned normally" : release.outcome())
                                        + ")");
            }
            lossDetails.add(hold + " lost (" + lossWhy.get(hold) + ") at " + at(history, loss.getValue()) + ": " + how
                    + (unawareWrites > 0 ? ", " + unawareWrites + " write(s) while isLocked() still said true" : ""));
        }
        lossDetails.sort(Comparator.naturalOrder());
        int withoutEvidence = 0;
        for (HoldId hold : signals.keySet()) {
            if (!lossAt.containsKey(hold)) {
                withoutEvidence++;
            }
        }
        return new Result(
                grants.size(),
                failures,
                violations,
                duplicates,
                regressions,
                overlapping,
                stale,
                staleUnaware,
                crashToFree,
                holderFaults,
                signals.size(),
                lossAt.size(),
                toldByListener,
                toldByState,
                toldAtRelease,
                neverTold,
                unaware,
                withoutEvidence,
                lossDetails);
    }

    /**
     * Pairs of holds whose accepted writes interleaved in the store's order (A, then B, then A again):
     * one finding per pair, at its first interleaving.
     */
    private static List<String> violations(History history) {
        List<Write> accepted = history.writes().stream()
                .filter(Write::accepted)
                .sorted(Comparator.comparingLong(Write::order))
                .toList();
        List<String> violations = new ArrayList<>();
        Map<HoldId, Write> lastWrite = new HashMap<>();
        Set<Set<HoldId>> pairs = new HashSet<>();
        Write current = null;
        for (Write write : accepted) {
            if (current != null && !current.hold().equals(write.hold())) {
                Write earlier = lastWrite.get(write.hold());
                if (earlier != null && pairs.add(Set.of(write.hold(), current.hold()))) {
                    violations.add(write.hold() + " (token " + write.token() + ") wrote at "
                            + at(history, earlier.start()) + " and again at " + at(history, write.start())
                            + ", and " + current.hold() + " (token " + current.token() + ") wrote in between at "
                            + at(history, current.start()) + "; all accepted");
                }
            }
            lastWrite.put(write.hold(), write);
            current = write;
        }
        return violations;
    }

    private static List<String> tokenDuplicates(Iterable<Grant> grants) {
        Map<Long, List<HoldId>> byToken = new TreeMap<>();
        for (Grant grant : grants) {
            byToken.computeIfAbsent(grant.token(), t -> new ArrayList<>()).add(grant.hold());
        }
        List<String> duplicates = new ArrayList<>();
        byToken.forEach((token, holds) -> {
            if (holds.size() > 1) {
                duplicates.add("token " + token + " granted to " + holds);
            }
        });
        return duplicates;
    }

    /** A grant whose call started after another grant had returned, with a lower token. */
    private static List<String> tokenRegressions(History history, Iterable<Grant> all) {
        List<Grant> byReturn = new ArrayList<>();
        all.forEach(byReturn::add);
        List<Grant> byCall = new ArrayList<>(byReturn);
        byReturn.sort(Comparator.comparingLong(Grant::acquired));
        byCall.sort(Comparator.comparingLong(Grant::callStart));
        List<String> regressions = new ArrayList<>();
        Grant highest = null;
        int next = 0;
        for (Grant grant : byCall) {
            while (next < byReturn.size() && byReturn.get(next).acquired() < grant.callStart()) {
                Grant earlier = byReturn.get(next++);
                if (highest == null || earlier.token() > highest.token()) {
                    highest = earlier;
                }
            }
            if (highest != null && grant.token() < highest.token()) {
                regressions.add(grant.hold() + " got token " + grant.token() + " at " + at(history, grant.acquired())
                        + " though " + highest.hold() + " had got " + highest.token() + " at "
                        + at(history, highest.acquired()) + ", before " + grant.hold() + " asked");
            }
        }
        return regressions;
    }

    /**
     * Where a hold ends: when its release began; when its worker was killed; else the end of the run.
     */
    private static long holdEnd(History history, Grant grant, Release release) {
        if (release != null) {
            return release.releasing();
        }
        long end = history.end();
        for (Fault fault : history.faults()) {
            if ((fault.kind() == FaultKind.KILL_HOLDER || fault.kind() == FaultKind.STOP_KILL)
                    && fault.worker() == grant.hold().worker()
                    && fault.start() > grant.acquired()) {
                end = Math.min(end, fault.start());
            }
        }
        return end;
    }

    private static boolean activeAt(Grant grant, Map<HoldId, Long> ends, long time) {
        return grant.acquired() < time && time <= ends.get(grant.hold());
    }

    private static void noteLoss(Map<HoldId, Long> lossAt, Map<HoldId, String> why, HoldId hold, long at, String how) {
        Long known = lossAt.get(hold);
        if (known == null || at < known) {
            lossAt.put(hold, at);
            why.put(hold, how);
        }
    }

    private static String told(long delay) {
        return delay >= 0 ? "told " + millis(delay) + " ms after" : "told " + millis(-delay) + " ms before";
    }

    static String at(History history, long time) {
        return "+" + seconds(time - history.start()) + " s";
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
