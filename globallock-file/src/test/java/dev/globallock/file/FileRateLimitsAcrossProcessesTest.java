/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.RateLimiter;
import dev.globallock.tck.GrantLog;
import dev.globallock.tck.fixture.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file engine's rate limiter between processes: two child JVMs and this one call one limiter on
 * the same lock directory as fast as they can, at the same time; the grants of all three, on the
 * wall clock the limiter itself ages permits by, never put more than the limit in one window.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FileRateLimitsAcrossProcessesTest {
    private static final int PERMITS = 20;
    private static final Duration WINDOW = Duration.ofMillis(250);
    private static final long RUN_MILLIS = 2_000;

    @TempDir
    Path directory;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void threeProcessesShareOneLimit() throws Exception {
        long startAt = HammerRateLimiterMain.epochNanos() + TimeUnit.SECONDS.toNanos(4); // after the JVMs start
        List<CompletableFuture<List<String>>> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(start(startAt));
        }
        GrantLog log = new GrantLog();
        for (long[] grant : HammerRateLimiterMain.hammer(
                directory.toString(), "shared", PERMITS, WINDOW, startAt, Duration.ofMillis(RUN_MILLIS))) {
            log.granted(grant[0], grant[1]);
        }
        for (int c = 0; c < children.size(); c++) {
            List<String> lines = children.get(c).get(60, TimeUnit.SECONDS);
            assertThat(lines).as("child " + c + " finished").contains("DONE");
            for (String line : lines) {
                if (line.startsWith("GRANT ")) {
                    String[] parts = line.split(" ");
                    log.granted(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
                }
            }
        }
        assertThat(Files.exists(
                        FileRateLimiter.stateFile(directory.toRealPath(), "shared", RateLimiter.Algorithm.EXACT)))
                .isTrue();
        log.assertNeverMoreThan(PERMITS, WINDOW);
        assertThat(log.grants()).as("admitted again as the window moved").isGreaterThan(PERMITS);
    }

    private CompletableFuture<List<String>> start(long startAt) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        ChildJvm.classPath(),
                        HammerRateLimiterMain.class.getName(),
                        directory.toString(),
                        "shared",
                        "" + PERMITS,
                        "" + WINDOW.toMillis(),
                        "" + startAt,
                        "" + RUN_MILLIS)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        processes.add(process);
        return CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return lines;
        });
    }
}
