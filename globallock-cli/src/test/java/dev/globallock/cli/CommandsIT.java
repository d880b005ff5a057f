/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.tck.fixture.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The other subcommands, configuration lookup, errors and the launcher, on the file engine. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CommandsIT {
    @TempDir
    Path directory;

    private Tool tool;

    @BeforeEach
    void newTool() {
        tool = new Tool(directory, Map.of());
    }

    @AfterEach
    void killLeftovers() throws Exception {
        tool.close();
    }

    @Test
    @DisplayName("without any configuration, exec uses the file engine under $XDG_STATE_HOME")
    void defaultsToTheFileEngine() throws Exception {
        Tool.Result result = tool.run("exec", "--name", "demo", "--", "sh", "-c", "echo \"$GLOBALLOCK_ENGINE\"");
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.out.strip()).isEqualTo("file");
        try (var files = Files.list(directory.resolve("state/globallock/locks"))) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("demo-"));
        }
    }

    @Test
    @DisplayName("GLOBALLOCK_CONFIG is read when there is no --config, and --config wins over it")
    void configurationLookupOrder() throws Exception {
        tool.write("from-env.yaml", "engine: file\nfile:\n  directory: " + directory.resolve("env-locks") + "\n");
        tool.write("globallock.yaml", "engine: no-such-engine\n");
        Tool envTool = new Tool(
                directory,
                Map.of("GLOBALLOCK_CONFIG", directory.resolve("from-env.yaml").toString()));
        try (envTool) {
            Tool.Result viaEnv = envTool.run("exec", "--name", "env", "--", "true");
            assertThat(viaEnv.exitCode).as(viaEnv.toString()).isZero();
            assertThat(directory.resolve("env-locks")).isDirectory();
        }
        Tool.Result local = tool.run("exec", "--name", "local", "--", "true");
        assertThat(local.exitCode).as("./globallock.yaml is used: " + local).isEqualTo(78);
        assertThat(local.err).contains("engine was 'no-such-engine'").contains("found: etcd, file, memory, redis");
        Tool.Result explicit = tool.run("exec", "--config", "from-env.yaml", "--name", "explicit", "--", "true");
        assertThat(explicit.exitCode).as(explicit.toString()).isZero();
    }

    @Test
    @DisplayName("engines lists every engine in the jar with its capabilities")
    void enginesListsAll() throws Exception {
        Tool.Result result = tool.run("engines");
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.out)
                .contains("etcd", "file  (configured)", "memory", "redis", "zookeeper")
                .contains("capabilities: session-bound, fencing-tokens, wait-notification");
    }

    @Test
    @DisplayName("check runs connect, acquire, contention, handoff and release, and prints latencies")
    void checkPasses() throws Exception {
        Tool.Result result = tool.run("check", "--rounds", "5");
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.out)
                .contains("exclusion: a second manager's attempt was refused")
                .contains("handoff: release to the waiting manager's grant")
                .contains("ms")
                .contains("ok: engine 'file' works end to end");
    }

    @Test
    @DisplayName("errors are one line with a distinct exit code; --verbose adds the stack trace")
    void errorsAreOneLine() throws Exception {
        Tool.Result usage = tool.run("exec", "--", "true");
        assertThat(usage.exitCode).isEqualTo(64);
        assertThat(usage.err).contains("Missing required option: '--name=LOCK'");

        Tool.Result badDuration = tool.run("exec", "--name", "x", "--lease", "soon", "--", "true");
        assertThat(badDuration.exitCode).isEqualTo(64);
        assertThat(badDuration.err).contains("'soon' is not a duration");

        Tool.Result missing = tool.run("status", "--config", "nope.yaml", "--name", "x");
        assertThat(missing.exitCode).isEqualTo(78);
        assertThat(missing.err.strip()).doesNotContain("\n").contains("nope.yaml does not exist");

        tool.write("typo.yaml", "engine: file\nfile:\n  directroy: /tmp/x\n");
        Tool.Result typo = tool.run("status", "--config", "typo.yaml", "--name", "x");
        assertThat(typo.exitCode).isEqualTo(78);
        assertThat(typo.err.strip())
                .doesNotContain("\n")
                .contains("file.directroy was ")
                .contains("it is not a known key: did you mean 'directory'?");

        tool.write("lease.yaml", "engine: file\ndefaults:\n  lease-time: 10s\n");
        Tool.Result lease = tool.run("exec", "--config", "lease.yaml", "--name", "x", "--", "true");
        assertThat(lease.exitCode).as(lease.toString()).isEqualTo(78);
        assertThat(lease.err).contains("cannot honour lease times");

        tool.write("unreachable.yaml", "engine: file\nfile:\n  directory: /dev/null/locks\n");
        Tool.Result unreachable = tool.run("exec", "--config", "unreachable.yaml", "--name", "x", "--", "true");
        assertThat(unreachable.exitCode).as(unreachable.toString()).isEqualTo(69);
        assertThat(unreachable.err.strip()).doesNotContain("\n").contains("engine 'file'");
        Tool.Result verbose =
                tool.run("exec", "--config", "unreachable.yaml", "--verbose", "--name", "x", "--", "true");
        assertThat(verbose.exitCode).isEqualTo(69);
        assertThat(verbose.err).contains("\tat dev.globallock.");

        Tool.Result notFound = tool.run("exec", "--name", "x", "--", "no-such-command-anywhere");
        assertThat(notFound.exitCode).isEqualTo(127);
        assertThat(notFound.err).contains("cannot run 'no-such-command-anywhere': No such file or directory");

        Path script = directory.resolve("not-executable.sh");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Tool.Result notExecutable = tool.run("exec", "--name", "x", "--", script.toString());
        assertThat(notExecutable.exitCode).isEqualTo(126);
        assertThat(notExecutable.err).contains("Permission denied");
    }

    @Test
    @DisplayName("SIGTERM while waiting for the lock ends the wait and leaves the lock to its holder")
    void sigtermWhileWaiting() throws Exception {
        Tool.Running holder = tool.start(
                "exec", "--name", "wait", "--", "sh", "-c", "echo x > held; while [ ! -f go ]; do sleep 0.05; done");
        tool.awaitFile("held", Duration.ofSeconds(30));
        Tool.Running waiter = tool.start("exec", "--name", "wait", "--", "sh", "-c", "echo ran > ran");
        awaitMainThreadIn(waiter.process, "dev.globallock.GlobalLockManager.lock(", Duration.ofSeconds(30));
        waiter.process.destroy();
        Tool.Result waited = waiter.await(Duration.ofSeconds(30));
        assertThat(waited.exitCode).as(waited.toString()).isEqualTo(143);
        assertThat(tool.file("ran")).doesNotExist();
        Tool.Result status = tool.run("status", "--name", "wait");
        assertThat(status.exitCode).as("still held by the holder: " + status).isEqualTo(1);
        tool.write("go", "");
        assertThat(holder.await(Duration.ofSeconds(30)).exitCode).isZero();
    }

    @Test
    @DisplayName("bin/globallock runs the jar and passes the command's status through")
    void launcherRunsTheJar() throws Exception {
        Tool.Result result = tool.startWithLauncher("exec", "--name", "launched", "--", "sh", "-c", "exit 5")
                .await(Duration.ofSeconds(60));
        assertThat(result.exitCode).as(result.toString()).isEqualTo(5);
        Tool.Result version = tool.startWithLauncher("--version").await(Duration.ofSeconds(60));
        assertThat(version.out).startsWith("globallock ");
    }

    @Test
    @DisplayName("--version prints the version the build wrote into the jar's manifest")
    void versionComesFromTheManifest() throws Exception {
        Tool.Result version = tool.start("--version").await(Duration.ofSeconds(60));
        assertThat(version.exitCode).as(version.toString()).isZero();
        assertThat(version.out).isEqualTo("globallock " + System.getProperty("globallock.version") + "\n");
    }

    /**
     * Waits until the main thread of a globallock JVM runs {@code frame} (for example, waits inside
     * {@code GlobalLockManager.lock}), as its thread dump ({@code jcmd PID Thread.print}) shows.
     */
    private void awaitMainThreadIn(Process process, String frame, Duration timeout) {
        String[] lastStack = {"(no thread dump yet)"};
        Await.until(
                timeout,
                () -> {
                    lastStack[0] = mainThreadStack(process);
                    return lastStack[0].contains("\tat " + frame);
                },
                () -> "the main thread of pid " + process.pid() + " to be in " + frame + "; it was:\n" + lastStack[0]);
    }

    /** The main thread's part of the JVM's thread dump; empty while the JVM cannot be attached to yet. */
    private String mainThreadStack(Process process) {
        if (!process.isAlive() || !handlesSigquit(process.pid())) {
            // jcmd attaches by sending SIGQUIT, whose default action would kill a JVM still starting up
            return "";
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path dump = directory.resolve("thread-dump-" + process.pid() + ".txt");
        try {
            Process jcmdRun = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true)
                    .redirectOutput(dump.toFile())
                    .start();
            if (!jcmdRun.waitFor(20, TimeUnit.SECONDS)) {
                jcmdRun.destroyForcibly();
                throw new IllegalStateException("jcmd " + process.pid() + " Thread.print did not finish in 20 s");
            }
            String threads = Files.readString(dump);
            int start = threads.indexOf("\n\"main\" ");
            if (start < 0) {
                return "";
            }
            int end = threads.indexOf("\n\n", start + 1);
            return end < 0 ? threads.substring(start + 1) : threads.substring(start + 1, end);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running jcmd", e);
        }
    }

    /** Whether the process has installed a handler for SIGQUIT (bit 3 of SigCgt in /proc/PID/status). */
    private static boolean handlesSigquit(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigCgt:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 2)) != 0;
                }
            }
            return false;
        } catch (IOException e) {
            return false; // gone, or no procfs: not attachable
        }
    }
}
