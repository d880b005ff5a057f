/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import dev.globallock.bench.faults.FaultChecker.Result;
import dev.globallock.bench.faults.FaultRun.Report;
import dev.globallock.bench.faults.History.Fault;
import dev.globallock.bench.faults.History.FaultKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The project's own fault suite: worker JVMs contend on one lock and write to a fenced store with
 * their tokens while holders are killed and frozen past their leases and servers are restarted,
 * frozen and failed over; a checker then counts violations, token problems, crash-to-free times and
 * lost-lease signals against actual losses. One form per run, or {@code --all} in sequence; a
 * markdown table per form on stdout and under {@code --out}. Exit code 1 when a form had a violation
 * or a duplicate or regressing token, 2 when a form could not run, else 0.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath dev.globallock.bench.faults.FaultSuite --form redis-single"
 * </pre>
 *
 * Options: {@code --form ID[,ID...]} or {@code --all}; {@code --seconds 75}; {@code --workers 3};
 * {@code --lease 3s}; {@code --wait 10s}; {@code --hold 20ms..200ms}; {@code --freeze} (default the
 * lease + 2 s); {@code --out target/fault-suite}; {@code --set key.path=value} (repeatable, any
 * engine setting); {@code --seed N}; {@code --unfenced} (the store accepts every write, as a
 * resource without fencing would: a check that the checker catches what fencing prevents).
 */
public final class FaultSuite {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

    private FaultSuite() {}

    public static void main(String[] args) throws IOException {
        List<Form> forms = new ArrayList<>();
        Duration seconds = Duration.ofSeconds(75);
        int workers = 3;
        Duration lease = Duration.ofSeconds(3);
        Duration wait = Duration.ofSeconds(10);
        Duration holdMin = Duration.ofMillis(20);
        Duration holdMax = Duration.ofMillis(200);
        Duration freeze = null;
        Path out = Path.of("target", "fault-suite");
        Map<String, String> overrides = new LinkedHashMap<>();
        long seed = System.nanoTime();
        boolean fenced = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--all" -> forms.addAll(List.of(Form.values()));
                case "--form" -> {
                    for (String id : args[++i].split(",")) {
                        forms.add(Form.byId(id)
                                .orElseThrow(() -> new IllegalArgumentException(
                                        "--form was '" + id + "' but it must be one of " + formIds())));
                    }
                }
                case "--seconds" -> seconds = Duration.ofSeconds(Integer.parseInt(args[++i]));
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--lease" -> lease = duration("--lease", args[++i]);
                case "--wait" -> wait = duration("--wait", args[++i]);
                case "--hold" -> {
                    String[] range = args[++i].split("\\.\\.");
                    if (range.length != 2) {
                        throw new IllegalArgumentException(
                                "--hold was '" + args[i] + "' but it must be a range such as 20ms..200ms");
                    }
                    holdMin = duration("--hold", range[0]);
                    holdMax = duration("--hold", range[1]);
                }
                case "--freeze" -> freeze = duration("--freeze", args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--set" -> {
                    String setting = args[++i];
                    int eq = setting.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set was '" + setting + "' but it must be key.path=value");
                    }
                    overrides.put(setting.substring(0, eq), setting.substring(eq + 1));
                }
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--unfenced" -> fenced = false;
                default ->
                    throw new IllegalArgumentException("unknown argument '" + args[i] + "': use --form "
                            + formIds() + " or --all, --seconds N, --workers N, --lease D, --wait D, --hold D..D,"
                            + " --freeze D, --out DIR, --set key=value, --seed N, --unfenced");
            }
        }
        if (forms.isEmpty()) {
            throw new IllegalArgumentException("name a form with --form " + formIds() + ", or use --all");
        }
        Settings settings = new Settings(
                seconds,
                workers,
                lease,
                wait,
                holdMin,
                holdMax,
                freeze == null ? lease.plusSeconds(2) : freeze,
                out,
                overrides,
                seed,
                fenced);
        Files.createDirectories(out);

        List<Report> reports = new ArrayList<>();
        for (Form form : forms) {
            System.out.printf(
                    Locale.ROOT,
                    "fault suite: %s for %d s, %d workers, lease %s ...%n",
                    form.id(),
                    seconds.toSeconds(),
                    workers,
                    lease);
            Report report = new FaultRun(form, settings).run();
            reports.add(report);
            if (report.history() != null) {
                Files.writeString(out.resolve(form.id()).resolve("history.tsv"), timeline(report.history()));
            }
            String markdown = header() + row(report) + "\n" + details(report);
            Files.writeString(out.resolve(form.id() + ".md"), markdown);
            System.out.println(markdown);
        }
        if (reports.size() > 1) {
            StringBuilder all = new StringBuilder(header());
            reports.forEach(r -> all.append(row(r)));
            all.append('\n');
            reports.forEach(r -> all.append(details(r)));
            Files.writeString(out.resolve("fault-suite.md"), all);
            System.out.println(header() + reports.stream().map(FaultSuite::row).collect(Collectors.joining()));
        }
        System.out.println("tables written to " + out.toAbsolutePath());
        System.exit(exitCode(reports));
    }

    /** 1 when a form had a violation or a duplicate or regressing token; else 2 when a form could not run; else 0. */
    static int exitCode(List<Report> reports) {
        int exit = 0;
        for (Report report : reports) {
            if (report.result() != null && !report.result().safe()) {
                exit = 1;
            } else if (report.error() != null && exit == 0) {
                exit = 2;
            }
        }
        return exit;
    }

    static String header() {
        return "| form | acquisitions | violations | token dup / regr | overlapped holds | fenced stale writes"
                + " (holder unaware) | crash-to-free p50 / max (kills) | lost-lease signals / actual losses | losses"
                + " told by onLost / isLocked() only / release() only / never | writes after a loss with isLocked()"
                + " true | failed attempts | faults injected |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    }

    static String row(Report report) {
        Result r = report.result();
        if (r == null) {
            return "| " + report.form().id() + " | run failed: " + oneLine(report.error()) + " | | | | | | | | | | |\n";
        }
        String crash = r.crashToFreeNanos().isEmpty()
                ? "–"
                : seconds(r.crashToFreePercentile(50)) + " / " + seconds(r.crashToFreePercentile(100)) + " s ("
                        + r.crashToFreeNanos().size() + ")";
        int failed = r.failures().values().stream().mapToInt(Integer::intValue).sum();
        return "| " + report.form().id()
                + " | " + r.acquisitions()
                + " | "
                + (r.violations().isEmpty() ? "0" : "**" + r.violations().size() + "**")
                + " | " + count(r.tokenDuplicates()) + " / " + count(r.tokenRegressions())
                + " | " + r.overlappedHolds()
                + " | " + r.staleWrites() + " (" + r.staleWritesUnaware() + ")"
                + " | " + crash
                + " | " + r.lostSignals() + " / " + r.actualLosses()
                + " | " + r.lossesToldByListener() + " / " + r.lossesToldByState() + " / "
                + r.lossesToldOnlyAtRelease() + " / " + r.lossesNeverTold()
                + " | " + r.unawareWritesAfterLoss()
                + " | " + failed
                + " | " + faultSummary(report.history().faults())
                + " |\n";
    }

    static String details(Report report) {
        StringBuilder md = new StringBuilder();
        Settings s = report.settings();
        md.append("### ")
                .append(report.form().id())
                .append(": ")
                .append(report.form().title())
                .append("\n\n");
        md.append(report.description()).append(". ");
        md.append(String.format(
                Locale.ROOT,
                "%d workers at a time (%d started), lease %s, wait %s, holds %d–%d ms, freezes %s, run %s s"
                        + " (faults spread over %d s), seed %d%s.%n%n",
                s.workers(),
                report.workersStarted(),
                human(s.lease()),
                human(s.waitTime()),
                s.holdMin().toMillis(),
                s.holdMax().toMillis(),
                human(s.freeze()),
                seconds(report.elapsed().toNanos()),
                s.duration().toSeconds(),
                s.seed(),
                s.overrides().isEmpty() ? "" : ", settings " + s.overrides()));
        if (!s.fenced()) {
            md.append("**The store was unfenced** (`--unfenced`): it accepted every write, as a resource that does"
                    + " not check tokens would.\n\n");
        }
        if (report.error() != null) {
            StringWriter trace = new StringWriter();
            report.error().printStackTrace(new PrintWriter(trace));
            md.append("The run failed:\n\n```\n").append(trace).append("```\n\n");
            appendList(md, "Notes", report.notes());
            return md.toString();
        }
        History history = report.history();
        Result r = report.result();
        List<String> faults = new ArrayList<>();
        for (Fault fault : history.faults()) {
            faults.add(FaultChecker.at(history, fault.start()) + " " + fault.label() + ": " + fault.detail());
        }
        appendList(md, "Faults", faults);
        appendList(md, "Violations", r.violations());
        appendList(md, "Duplicate tokens", r.tokenDuplicates());
        appendList(md, "Token regressions", r.tokenRegressions());
        appendList(md, "Killed and frozen holders", r.holderFaults());
        appendList(md, "Actual losses", r.lossDetails());
        if (r.signalsWithoutEvidence() > 0) {
            md.append(r.signalsWithoutEvidence())
                    .append(" lost-lease signal(s) on holds the checker has no other evidence of a loss for.\n\n");
        }
        if (!r.failures().isEmpty()) {
            md.append("Failed attempts: ")
                    .append(r.failures().entrySet().stream()
                            .map(e -> e.getKey() + " ×" + e.getValue())
                            .collect(Collectors.joining(", ")))
                    .append(".\n\n");
        }
        appendList(md, "Notes", report.notes());
        return md.toString();
    }

    /** Every recorded event in time order, one per line, times in seconds from the run's start. */
    static String timeline(History h) {
        record Line(long at, String text) {}
        List<Line> lines = new ArrayList<>();
        h.grants()
                .forEach(g -> lines.add(new Line(
                        g.acquired(),
                        "grant\t" + g.hold() + "\ttoken " + g.token() + "\tasked at " + rel(h, g.callStart()))));
        h.writes()
                .forEach(w -> lines.add(new Line(
                        w.start(),
                        "write\t" + w.hold() + "\ttoken " + w.token() + "\t" + w.phase() + " #" + w.order() + " "
                                + (w.accepted() ? "accepted" : "REJECTED")
                                + (w.believedHeld() ? "" : " (isLocked false)"))));
        h.releases()
                .forEach(r -> lines.add(new Line(
                        r.releasing(),
                        "release\t" + r.hold() + "\t" + r.outcome() + "\treturned at " + rel(h, r.released()))));
        h.lostSignals().forEach(l -> lines.add(new Line(l.at(), "onLost\t" + l.hold() + "\t" + l.state())));
        h.failures()
                .forEach(f -> lines.add(new Line(
                        f.at(), "failed\tw" + f.worker() + "\t" + f.kind() + "\tasked at " + rel(h, f.callStart()))));
        h.faults()
                .forEach(f -> lines.add(
                        new Line(f.start(), "FAULT\t" + f.label() + "\t" + f.detail() + "\tuntil " + rel(h, f.end()))));
        lines.sort(Comparator.comparingLong(Line::at));
        StringBuilder tsv = new StringBuilder("seconds\tevent\twho\twhat\n");
        lines.forEach(
                l -> tsv.append(rel(h, l.at())).append('\t').append(l.text()).append('\n'));
        return tsv.toString();
    }

    private static String rel(History h, long at) {
        return String.format(Locale.ROOT, "%.3f", (at - h.start()) / 1e9);
    }

    private static void appendList(StringBuilder md, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        md.append(title).append(":\n\n");
        lines.forEach(line -> md.append("- ").append(line).append('\n'));
        md.append('\n');
    }

    private static String faultSummary(List<Fault> faults) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Fault fault : faults) {
            if (fault.kind() != FaultKind.STOP_KILL) {
                counts.merge(fault.label(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .map(e -> e.getKey() + " ×" + e.getValue())
                .collect(Collectors.joining("; "));
    }

    private static String count(List<String> findings) {
        return findings.isEmpty() ? "0" : "**" + findings.size() + "**";
    }

    private static String oneLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String formIds() {
        return List.of(Form.values()).stream().map(Form::id).collect(Collectors.joining(", "));
    }

    /** {@code 500ms}, {@code 3s}, {@code 2m} or ISO-8601 ({@code PT3S}). */
    static Duration duration(String option, String value) {
        Matcher m = DURATION.matcher(value.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    option + " was '" + value + "' but it must be a duration such as 500ms, 3s or 2m", e);
        }
    }
}
