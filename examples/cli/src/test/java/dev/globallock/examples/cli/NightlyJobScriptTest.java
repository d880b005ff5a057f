/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.tck.fixture.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/cli/nightly-job.sh with bin/globallock on the file engine: one runs, the other skips. */
class NightlyJobScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("globallock.root", "../.."));
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path scratch;

    private Path config;

    @BeforeEach
    void configuration() throws IOException {
        assertThat(ROOT.resolve("globallock-cli/target/globallock.jar"))
                .as("the globallock command; build it with: mvn -DskipTests -pl globallock-cli -am package")
                .exists();
        config = scratch.resolve("globallock.yaml");
        Files.writeString(config, "engine: file\nfile:\n  directory: " + scratch.resolve("locks") + "\n");
    }

    @Test
    void theJobRunsUnderTheLockWithItsToken() throws Exception {
        Process job = script("out-1", "sh", "-c", "echo \"ran with token $GLOBALLOCK_FENCING_TOKEN\"");
        assertThat(job.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(job.exitValue()).as(read("out-1")).isZero();
        assertThat(read("out-1")).matches("ran with token \\d+\\R");
    }

    @Test
    void aSecondMachineSkipsItsTurnWhileTheFirstRuns() throws Exception {
        Path stop = scratch.resolve("stop");
        Process first = script(
                "out-1", "sh", "-c", "echo started; while [ ! -e '" + stop + "' ]; do sleep 0.05; done; echo done");
        Await.until(BOUND, () -> read("out-1").contains("started"), () -> "the first job started: " + read("out-1"));

        Process second = script("out-2", "sh", "-c", "echo ran");
        assertThat(second.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as(read("out-2")).isZero();
        assertThat(read("out-2"))
                .isEqualTo("globallock: lock 'nightly-job' is busy\nnightly-job is running elsewhere; skipped\n");

        Files.createFile(stop);
        assertThat(first.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(read("out-1")).isZero();
        assertThat(read("out-1")).isEqualTo("started\ndone\n");
    }

    private Process script(String output, String... command) throws IOException {
        List<String> line = new ArrayList<>(
                List.of("sh", ROOT.resolve("examples/cli/nightly-job.sh").toString()));
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line)
                .redirectErrorStream(true)
                .redirectOutput(scratch.resolve(output).toFile());
        builder.environment().put("GLOBALLOCK", ROOT.resolve("bin/globallock").toString());
        builder.environment().put("GLOBALLOCK_CONFIG", config.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    private String read(String output) {
        try {
            return Files.readString(scratch.resolve(output), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
