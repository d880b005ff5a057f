/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import dev.globallock.bench.faults.History.Fault;
import dev.globallock.bench.faults.History.FaultKind;
import dev.globallock.bench.faults.History.HoldId;
import dev.globallock.tck.fixture.Await;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * One form's run: starts the servers and the fenced store, starts the worker JVMs, injects the
 * form's faults spread over the run, stops the workers and hands the history to the checker.
 */
final class FaultRun {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** After SIGSTOP: long enough for what the worker sent before it stopped to be read by the store. */
    private static final Duration SETTLE = Duration.ofMillis(50);

    private final Form form;
    private final Settings settings;
    private final Path dir;
    private final Random random;
    private final Map<Integer, Process> workers = new LinkedHashMap<>();
    /** Every worker process started, for the shutdown hook (which must not touch {@link #workers}). */
    private final Set<Process> started = ConcurrentHashMap.newKeySet();

    private final Map<Integer, Long> spawned = new LinkedHashMap<>();
    private final Set<Integer> frozen = new TreeSet<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int nextWorker = 1;
    private FencedStore store;
    private Path configFile;

    FaultRun(Form form, Settings settings) {
        this.form = form;
        this.settings = settings;
        this.dir = settings.out().resolve(form.id());
        this.random = new Random(settings.seed());
    }

    /** Runs the form; a failure of the servers or the harness is reported, not thrown. */
    Report run() {
        long began = System.nanoTime();
        String description = "";
        // a coordinator stopped by Ctrl-C must not leave workers behind, frozen ones included
        Thread reaper = new Thread(() -> started.forEach(Process::destroyForcibly), "fault-suite-worker-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            Files.createDirectories(dir);
            try (Form.Deployment deployment = form.start(settings);
                    FencedStore fenced = FencedStore.start(settings.fenced())) {
                try {
                    store = fenced;
                    description = deployment.description();
                    configFile = writeConfig(deployment.engineConfig());
                    long start = System.nanoTime();
                    for (int i = 0; i < settings.workers(); i++) {
                        startWorker();
                    }
                    awaitWorkersConnected();
                    Await.until(CONNECT_TIMEOUT, () -> store.grantCount() > 0, () -> "a first acquisition");
                    long runStart = System.nanoTime();
                    List<Form.Step> schedule = deployment.schedule();
                    long slot = settings.duration().toNanos() / (schedule.size() + 1);
                    for (int i = 0; i < schedule.size(); i++) {
                        pauseUntil(runStart + (i + 1) * slot, "spacing the faults over the run");
                        inject(schedule.get(i));
                    }
                    pauseUntil(runStart + settings.duration().toNanos(), "the run's remaining time");
                    stopWorkers();
                    long end = System.nanoTime();
                    History history = store.history(settings.lease().toNanos(), start, end, faults);
                    notes.addAll(store.protocolErrors());
                    return new Report(
                            form,
                            description,
                            settings,
                            Duration.ofNanos(end - began),
                            nextWorker - 1,
                            history,
                            FaultChecker.check(history),
                            notes,
                            null);
                } finally {
                    killAllWorkers(); // before the servers go, on any failure
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Report(
                    form,
                    description,
                    settings,
                    Duration.ofNanos(System.nanoTime() - began),
                    nextWorker - 1,
                    null,
                    null,
                    notes,
                    e);
        } finally {
            killAllWorkers();
            started.forEach(Process::destroyForcibly);
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
    }

    private void inject(Form.Step step) {
        switch (step.kind()) {
            case KILL_HOLDER -> killHolder(step);
            case FREEZE_HOLDER -> freezeHolder(step);
            default -> {
                long start = System.nanoTime();
                String detail = step.serverAction().get();
                faults.add(new Fault(FaultKind.SERVER, step.label(), -1, start, System.nanoTime(), detail));
            }
        }
    }

    /**
     * SIGKILLs a worker in the middle of a hold and starts a replacement. A holder that had begun
     * its release by the time the signal landed (its {@code RELEASING} reached the store) was not
     * killed as a holder: another is tried, up to three times.
     */
    private void killHolder(Form.Step step) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<HoldId> picked = awaitWorkingHolder(step);
            if (picked.isEmpty()) {
                return;
            }
            HoldId hold = picked.get();
            int worker = hold.worker();
            signal("KILL", worker);
            long at = System.nanoTime();
            awaitExit(workers.get(worker), "w" + worker + " to die of SIGKILL");
            Await.until(
                    CONNECT_TIMEOUT, () -> store.disconnected(worker), () -> "w" + worker + "'s connection to close");
            workers.remove(worker);
            int replacement = startWorker();
            boolean missed = store.releaseBegun(hold);
            faults.add(new Fault(
                    FaultKind.KILL_HOLDER,
                    step.label(),
                    worker,
                    at,
                    at,
                    hold + " (token " + store.tokenOf(hold).orElse(-1L) + ")"
                            + (missed ? " had begun its release: not a holder's crash" : "") + ", replaced by w"
                            + replacement));
            awaitWorkersConnected();
            if (!missed) {
                return;
            }
        }
    }

    /**
     * SIGSTOPs a worker in the middle of a hold for {@link Settings#freeze()}, then SIGCONTs it. When
     * the worker turns out to have begun its release before the signal landed, it is resumed at
     * once and another holder is tried, up to five times.
     */
    private void freezeHolder(Form.Step step) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<HoldId> picked = awaitWorkingHolder(step);
            if (picked.isEmpty()) {
                return;
            }
            HoldId hold = picked.get();
            int worker = hold.worker();
            signal("STOP", worker);
            long start = System.nanoTime();
            frozen.add(worker);
            boolean missed;
            long end;
            try {
                Await.pause(SETTLE, "the stopped worker's last messages reach the store");
                missed = store.releaseBegun(hold);
                if (!missed) {
                    Await.pause(settings.freeze().minus(SETTLE), "a holder frozen past its lease");
                }
            } finally {
                end = System.nanoTime();
                signal("CONT", worker);
                frozen.remove(worker);
            }
            if (missed) {
                notes.add("'" + step.label() + "': " + hold + " had begun its release when stopped; tried another");
                continue;
            }
            faults.add(new Fault(
                    FaultKind.FREEZE_HOLDER,
                    step.label(),
                    worker,
                    start,
                    end,
                    hold + " (token " + store.tokenOf(hold).orElse(-1L) + ") for " + Form.since(start)));
            return;
        }
    }

    /** A live, unfrozen worker's hold in the middle of its work; empty (with a note) when none within the bound. */
    private Optional<HoldId> awaitWorkingHolder(Form.Step step) {
        Duration bound = settings.waitTime().plus(settings.lease().multipliedBy(3));
        try {
            return Optional.of(Await.untilPresent(
                    bound,
                    () -> {
                        Set<Integer> candidates = new TreeSet<>(workers.keySet());
                        candidates.removeAll(frozen);
                        candidates.removeIf(w -> !workers.get(w).isAlive());
                        return store.workingHolder(candidates);
                    },
                    () -> "a worker holding the lock"));
        } catch (IllegalStateException e) {
            notes.add("skipped '" + step.label() + "': no worker was holding the lock within " + bound.toSeconds()
                    + " s");
            return Optional.empty();
        }
    }

    private int startWorker() {
        int id = nextWorker++;
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m",
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath(),
                FaultWorker.class.getName(),
                "--port",
                Integer.toString(store.port()),
                "--id",
                Integer.toString(id),
                "--config",
                configFile.toString(),
                "--name",
                Form.LOCK_NAME,
                "--wait",
                settings.waitTime().toMillis() + "ms",
                "--hold",
                settings.holdMin().toMillis() + "ms.." + settings.holdMax().toMillis() + "ms",
                "--seed",
                Long.toString(random.nextLong()));
        spawned.put(id, System.nanoTime());
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(
                            dir.resolve("worker-" + id + ".log").toFile()))
                    .redirectInput(Redirect.from(new File("/dev/null")))
                    .start();
            workers.put(id, process);
            started.add(process);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start worker " + id, e);
        }
    }

    /**
     * Waits until every started worker said hello, and checks that its {@code nanoTime} is this
     * JVM's clock: its reading at the handshake lies between its spawn and now.
     */
    private void awaitWorkersConnected() {
        for (Map.Entry<Integer, Process> worker : workers.entrySet()) {
            int id = worker.getKey();
            long hello = Await.untilPresent(
                    CONNECT_TIMEOUT,
                    () -> {
                        if (!worker.getValue().isAlive()) {
                            throw new IllegalStateException("worker " + id + " exited with code "
                                    + worker.getValue().exitValue() + "; see " + dir.resolve("worker-" + id + ".log"));
                        }
                        return store.hello(id);
                    },
                    () -> "worker " + id + " to connect");
            long now = System.nanoTime();
            if (hello < spawned.get(id) || hello > now) {
                throw new IllegalStateException("worker " + id + "'s System.nanoTime() (" + hello
                        + ") is not on this JVM's clock (spawned at " + spawned.get(id) + ", now " + now
                        + "): the checker needs one monotonic clock for all processes (Linux CLOCK_MONOTONIC)");
            }
        }
    }

    private void stopWorkers() {
        store.requestStop();
        long deadline = System.nanoTime() + settings.waitTime().plus(STOP_GRACE).toNanos();
        for (Map.Entry<Integer, Process> worker : workers.entrySet()) {
            Process process = worker.getValue();
            try {
                long left = deadline - System.nanoTime();
                if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    long at = System.nanoTime();
                    process.destroyForcibly();
                    awaitExit(process, "w" + worker.getKey() + " to die");
                    faults.add(new Fault(
                            FaultKind.STOP_KILL,
                            "killed at the end (did not stop)",
                            worker.getKey(),
                            at,
                            at,
                            "w" + worker.getKey()));
                } else if (process.exitValue() != 0) {
                    notes.add("w" + worker.getKey() + " exited with code " + process.exitValue() + "; see "
                            + dir.resolve("worker-" + worker.getKey() + ".log"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the workers", e);
            }
        }
        workers.clear();
    }

    private void killAllWorkers() {
        for (Process process : workers.values()) {
            process.destroyForcibly();
        }
        workers.clear();
    }

    private void signal(String signal, int worker) {
        long pid = workers.get(worker).pid();
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending SIG" + signal, e);
        }
    }

    private static void awaitExit(Process process, String what) {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Timed out after 10 s waiting for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + what, e);
        }
    }

    private static void pauseUntil(long deadline, String why) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            Await.pause(Duration.ofNanos(left), why);
        }
    }

    private Path writeConfig(Map<String, Object> engineConfig) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>(engineConfig);
        Map<String, Object> watchdog = new LinkedHashMap<>();
        watchdog.put("lease", settings.lease().toMillis() + "ms");
        config.put("watchdog", watchdog);
        Yaml yaml = yaml();
        for (Map.Entry<String, String> override : settings.overrides().entrySet()) {
            put(config, override.getKey(), yaml.load(override.getValue()));
        }
        Path file = dir.resolve("engine.yaml");
        Files.writeString(file, yaml.dump(config));
        return file;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> config, String dotted, Object value) {
        String[] path = dotted.split("\\.");
        Map<String, Object> section = config;
        for (int i = 0; i < path.length - 1; i++) {
            Object next = section.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
            if (!(next instanceof Map)) {
                throw new IllegalArgumentException(
                        "--set was '" + dotted + "' but '" + path[i] + "' is a value, not a section");
            }
            section = (Map<String, Object>) next;
        }
        section.put(path[path.length - 1], value);
    }

    private static Yaml yaml() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options);
    }

    /**
     * This JVM's class path: {@code java.class.path} under {@code exec:exec} or a plain {@code java
     * -cp}; the context class loader's URLs under {@code exec:java}, where {@code java.class.path} is
     * Maven's own.
     */
    private static String classpath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        String own = System.getProperty("java.class.path");
        if (loader instanceof URLClassLoader urls && !own.contains("globallock-bench")) {
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                entries.add(Path.of(URI.create(url.toString())).toString());
            }
            return String.join(File.pathSeparator, entries);
        }
        return own;
    }

    /** The outcome of one form: the history and what the checker found, or the error that ended it. */
    record Report(
            Form form,
            String description,
            Settings settings,
            Duration elapsed,
            int workersStarted,
            History history,
            FaultChecker.Result result,
            List<String> notes,
            Exception error) {}
}
