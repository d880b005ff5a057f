/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.tck.fixture.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the packaged {@code globallock.jar} as a real process in a working directory of its own,
 * with {@code XDG_STATE_HOME} pointing into it, so nothing outside the test's directory is touched.
 */
final class Tool implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("globallock.jar", "target/globallock.jar"));
    static final Path LAUNCHER = Path.of(System.getProperty("globallock.launcher", "../bin/globallock"));
    private static final AtomicInteger RUNS = new AtomicInteger();

    final Path directory;
    private final List<Process> started = new ArrayList<>();
    private final Map<String, String> environment;

    Tool(Path directory, Map<String, String> environment) {
        this.directory = directory;
        this.environment = environment;
    }

    /** A finished run. */
    static final class Result {
        final int exitCode;
        final String out;
        final String err;

        Result(int exitCode, String out, String err) {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A started run whose output goes to files. */
    final class Running {
        final Process process;
        final Path out;
        final Path err;

        Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        Result await(Duration timeout) throws InterruptedException {
            assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .as("globallock exits within %s", timeout)
                    .isTrue();
            return new Result(process.exitValue(), read(out), read(err));
        }
    }

    Result run(String... args) throws IOException, InterruptedException {
        return start(args).await(Duration.ofSeconds(60));
    }

    Running start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        if (Runtime.version().feature() >= 23) {
            // as bin/globallock does: gRPC's protobuf and Netty use sun.misc.Unsafe, which JDK 24+
            // warns about on stderr unless allowed
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    Running startWithLauncher(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    private Running start(List<String> command) throws IOException {
        int run = RUNS.incrementAndGet();
        Path out = directory.resolve("run-" + run + ".out");
        Path err = directory.resolve("run-" + run + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove(CommonOptions.ENVIRONMENT_VARIABLE);
        builder.environment().put("XDG_STATE_HOME", directory.resolve("state").toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.add(process);
        return new Running(process, out, err);
    }

    /** Waits until a file exists and returns its content. */
    String awaitFile(String name, Duration timeout) {
        Path file = directory.resolve(name);
        Await.until(timeout, () -> Files.exists(file) && read(file).endsWith("\n"), () -> name + " to be written");
        return read(file).strip();
    }

    Path file(String name) {
        return directory.resolve(name);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String name, String content) throws IOException {
        Files.writeString(directory.resolve(name), content, StandardCharsets.UTF_8);
    }

    /** Kills every globallock started here and the children they left (their pids in *.pid files). */
    @Override
    public void close() throws IOException {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(".pid")) {
                    String pid = read(file).strip();
                    if (!pid.isEmpty()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
    }
}
