/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.bench.faults.History.Failure;
import dev.globallock.bench.faults.History.Fault;
import dev.globallock.bench.faults.History.FaultKind;
import dev.globallock.bench.faults.History.Grant;
import dev.globallock.bench.faults.History.HoldId;
import dev.globallock.bench.faults.History.LostSignal;
import dev.globallock.bench.faults.History.Release;
import dev.globallock.bench.faults.History.Write;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The fault suite's checker finds violations, token problems, crash-to-free times and untold losses")
class FaultCheckerTest {

    private static final long LEASE = ms(3000);

    /** A synthetic history; times in milliseconds. */
    private static final class Recorder {
        final List<Grant> grants = new ArrayList<>();
        final List<Release> releases = new ArrayList<>();
        final List<Write> writes = new ArrayList<>();
        final List<LostSignal> signals = new ArrayList<>();
        final List<Fault> faults = new ArrayList<>();
        long order;

        HoldId grant(int worker, int seq, long token, long callStart, long acquired) {
            HoldId hold = new HoldId(worker, seq);
            grants.add(new Grant(hold, token, ms(callStart), ms(acquired)));
            return hold;
        }

        void write(HoldId hold, long token, long at, boolean believed, boolean accepted) {
            writes.add(new Write(++order, hold, token, "w", believed, ms(at) - 1, ms(at), ms(at) + 1, accepted));
        }

        void release(HoldId hold, long at, String outcome) {
            releases.add(new Release(hold, ms(at), ms(at) + 1, outcome));
        }

        /** A hold that does everything right: grant, two accepted writes, release. */
        HoldId cleanHold(int worker, int seq, long token, long from, long to) {
            HoldId hold = grant(worker, seq, token, from - 5, from);
            write(hold, token, from + 1, true, true);
            write(hold, token, to - 1, true, true);
            release(hold, to, "ok");
            return hold;
        }

        FaultChecker.Result check() {
            return FaultChecker.check(
                    new History(LEASE, 0, ms(100_000), grants, releases, writes, signals, List.<Failure>of(), faults));
        }
    }

    private static long ms(long millis) {
        return millis * 1_000_000;
    }

    @Test
    @DisplayName("holds one after the other with rising tokens are safe: no violation, overlap or loss")
    void cleanHistoryIsSafe() {
        Recorder h = new Recorder();
        h.cleanHold(1, 1, 10, 100, 200);
        h.cleanHold(2, 1, 11, 210, 300);
        h.cleanHold(3, 1, 12, 310, 400);

        FaultChecker.Result result = h.check();

        assertThat(result.safe()).isTrue();
        assertThat(result.acquisitions()).isEqualTo(3);
        assertThat(result.violations()).isEmpty();
        assertThat(result.tokenDuplicates()).isEmpty();
        assertThat(result.tokenRegressions()).isEmpty();
        assertThat(result.overlappedHolds()).isZero();
        assertThat(result.staleWrites()).isZero();
        assertThat(result.actualLosses()).isZero();
    }

    @Test
    @DisplayName("two holds whose accepted writes interleave (same token) are a violation and a duplicate token")
    void interleavedAcceptedWritesAreAViolation() {
        Recorder h = new Recorder();
        HoldId a = h.grant(1, 1, 10, 95, 100);
        HoldId b = h.grant(2, 1, 10, 96, 110);
        h.write(a, 10, 101, true, true);
        h.write(b, 10, 111, true, true);
        h.write(a, 10, 150, true, true); // a writes again after b: both accepted
        h.write(b, 10, 160, true, true);
        h.release(a, 151, "ok");
        h.release(b, 161, "ok");

        FaultChecker.Result result = h.check();

        assertThat(result.safe()).isFalse();
        assertThat(result.violations())
                .as("one finding per pair of holds")
                .containsExactly("w1#1 (token 10) wrote at +0.101 s and again at +0.150 s, and w2#1 (token 10)"
                        + " wrote in between at +0.111 s; all accepted");
        assertThat(result.tokenDuplicates()).containsExactly("token 10 granted to [w1#1, w2#1]");
        assertThat(result.overlappedHolds()).isEqualTo(1);
    }

    @Test
    @DisplayName(
            "a grant asked for after another was granted, with a lower token, is a regression; a concurrent one is not")
    void tokenRegression() {
        Recorder h = new Recorder();
        h.cleanHold(1, 1, 20, 100, 200);
        h.cleanHold(2, 1, 19, 300, 400); // asked at 295, after w1's grant at 100: must have been > 20
        h.grant(3, 1, 18, 50, 500); // asked at 50, before w1 was granted: any token order is allowed
        h.release(new HoldId(3, 1), 510, "ok");

        FaultChecker.Result result = h.check();

        assertThat(result.safe()).isFalse();
        assertThat(result.tokenRegressions()).hasSize(1);
        assertThat(result.tokenRegressions().get(0))
                .startsWith("w2#1 got token 19 at +0.300 s though w1#1 had got 20 at +0.100 s");
        assertThat(result.violations()).isEmpty();
    }

    @Test
    @DisplayName("crash-to-free runs from the SIGKILL of a holder to the next grant to another worker")
    void crashToFree() {
        Recorder h = new Recorder();
        h.grant(1, 1, 10, 95, 100);
        h.write(new HoldId(1, 1), 10, 101, true, true);
        h.faults.add(new Fault(FaultKind.KILL_HOLDER, "kill", 1, ms(500), ms(500), "w1"));
        h.cleanHold(2, 1, 11, 3500, 3600);
        h.cleanHold(3, 1, 12, 3700, 3800);
        // a kill that came after w2's release: w2 was not holding, not counted
        h.faults.add(new Fault(FaultKind.KILL_HOLDER, "kill", 2, ms(3650), ms(3650), "w2"));
        h.grant(1, 2, 13, 5000, 5000); // the same worker id again never counts as the next holder
        h.release(new HoldId(1, 2), 5100, "ok");

        FaultChecker.Result result = h.check();

        assertThat(result.crashToFreeNanos()).containsExactly(ms(3000));
        assertThat(result.crashToFreePercentile(50)).isEqualTo(ms(3000));
        assertThat(result.holderFaults()).hasSize(2);
        assertThat(result.holderFaults().get(1)).contains("not holding");
        assertThat(result.overlappedHolds()).as("a dead holder overlaps nobody").isZero();
        assertThat(result.actualLosses()).isZero();
    }

    @Test
    @DisplayName(
            "a holder frozen past its lease and overlapped is an actual loss; told, fenced, and its unaware write counted")
    void frozenHolderIsAnActualLoss() {
        Recorder h = new Recorder();
        HoldId frozen = h.grant(1, 1, 10, 95, 100);
        h.write(frozen, 10, 101, true, true);
        h.faults.add(new Fault(FaultKind.FREEZE_HOLDER, "freeze", 1, ms(200), ms(5200), "w1"));
        h.cleanHold(2, 1, 11, 3300, 3400);
        h.write(frozen, 10, 5201, true, false); // woke, still believed it held: fenced
        h.signals.add(new LostSignal(frozen, ms(5210), "LOST"));
        h.release(frozen, 5220, "lost");
        // a freeze that landed after w2 had begun its release: no hold was frozen
        h.faults.add(new Fault(FaultKind.FREEZE_HOLDER, "freeze", 2, ms(3450), ms(8450), "w2"));

        FaultChecker.Result result = h.check();

        assertThat(result.safe()).as("fencing caught the stale write").isTrue();
        assertThat(result.overlappedHolds()).isEqualTo(1);
        assertThat(result.staleWrites()).isEqualTo(1);
        assertThat(result.staleWritesUnaware()).isEqualTo(1);
        assertThat(result.actualLosses()).isEqualTo(1);
        assertThat(result.lossesToldByListener()).isEqualTo(1);
        assertThat(result.unawareWritesAfterLoss()).isEqualTo(1);
        assertThat(result.lostSignals()).isEqualTo(1);
        assertThat(result.signalsWithoutEvidence()).isZero();
        assertThat(result.lossDetails()).singleElement().asString().contains("w1#1 lost (frozen 5.000 s)");
        assertThat(result.holderFaults())
                .containsExactly(
                        "freeze of w1#1 (token 10) at +0.200 s for 5.000 s",
                        "freeze of w2 at +3.450 s: it was not holding (released just before), not counted");
    }

    @Test
    @DisplayName("an overlapped holder that no onLost told is counted as never told, or told only by release()")
    void untoldLoss() {
        Recorder h = new Recorder();
        HoldId a = h.grant(1, 1, 10, 95, 100);
        h.write(a, 10, 101, true, true);
        h.cleanHold(2, 1, 11, 150, 250); // granted while w1 still held: w1's lease was gone
        h.write(a, 10, 300, true, false);
        h.release(a, 310, "lost");
        HoldId c = h.grant(3, 1, 12, 305, 320);
        h.write(c, 12, 321, true, true);
        h.cleanHold(1, 2, 13, 330, 400); // granted while w3 still held; w3 never learns
        h.release(c, 500, "ok");

        FaultChecker.Result result = h.check();

        assertThat(result.actualLosses()).isEqualTo(2);
        assertThat(result.lossesToldByListener()).isZero();
        assertThat(result.lossesToldByState()).isZero();
        assertThat(result.lossesToldOnlyAtRelease()).isEqualTo(1);
        assertThat(result.lossesNeverTold()).isEqualTo(1);
        assertThat(result.lossDetails())
                .containsExactly(
                        "w1#1 lost (overlapped by w2#1) at +0.150 s: told only by release(), 1 write(s) while"
                                + " isLocked() still said true",
                        "w3#1 lost (overlapped by w1#2) at +0.330 s: never told (release() returned normally)");
    }

    @Test
    @DisplayName(
            "a holder whose isLocked() said false at its next write was told by its state, though onLost stayed silent")
    void toldByStateOnly() {
        Recorder h = new Recorder();
        HoldId a = h.grant(1, 1, 10, 95, 100);
        h.write(a, 10, 101, true, true);
        h.cleanHold(2, 1, 11, 150, 250);
        h.write(a, 10, 300, false, false);
        h.release(a, 310, "lost");

        FaultChecker.Result result = h.check();

        assertThat(result.actualLosses()).isEqualTo(1);
        assertThat(result.lossesToldByListener()).isZero();
        assertThat(result.lossesToldByState()).isEqualTo(1);
        assertThat(result.lossesToldOnlyAtRelease()).isZero();
        assertThat(result.unawareWritesAfterLoss()).isZero();
        assertThat(result.staleWrites()).isEqualTo(1);
        assertThat(result.staleWritesUnaware()).isZero();
    }

    @Test
    @DisplayName("the suite exits 1 when a form had a violation, 2 when a form could not run, 0 otherwise")
    void exitCode() {
        Recorder clean = new Recorder();
        clean.cleanHold(1, 1, 10, 100, 200);
        Recorder broken = new Recorder();
        broken.cleanHold(1, 1, 10, 100, 200);
        broken.cleanHold(2, 1, 10, 300, 400); // the same token twice

        FaultRun.Report ok = report(clean.check(), null);
        FaultRun.Report unsafe = report(broken.check(), null);
        FaultRun.Report failed = report(null, new IllegalStateException("no redis-server"));

        assertThat(FaultSuite.exitCode(List.of(ok, ok))).isZero();
        assertThat(FaultSuite.exitCode(List.of(ok, failed))).isEqualTo(2);
        assertThat(FaultSuite.exitCode(List.of(failed, unsafe, ok))).isEqualTo(1);
    }

    private static FaultRun.Report report(FaultChecker.Result result, Exception error) {
        return new FaultRun.Report(
                Form.REDIS_SINGLE,
                "",
                new Settings(
                        java.time.Duration.ofSeconds(1),
                        3,
                        java.time.Duration.ofSeconds(3),
                        java.time.Duration.ofSeconds(10),
                        java.time.Duration.ofMillis(20),
                        java.time.Duration.ofMillis(200),
                        java.time.Duration.ofSeconds(5),
                        java.nio.file.Path.of("target"),
                        java.util.Map.of(),
                        1,
                        true),
                java.time.Duration.ofSeconds(1),
                3,
                null,
                result,
                List.of(),
                error);
    }
}
