/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code globallock exec} promises, checked by running the packaged tool as processes against
 * a real backend. A subclass per engine writes the configuration and makes a lease vanish.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class ExecContract {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    Tool tool;

    /** The YAML configuration of the engine under test (written to ./globallock.yaml). */
    abstract String configuration(Path directory);

    /** Makes the backend forget the lock without telling its holder. */
    abstract void forget(String name) throws Exception;

    /** Options that make a holder's lock free itself soon after globallock is SIGKILLed. */
    abstract List<String> crashableHolderOptions();

    /**
     * Whether to run the checks that do not depend on the engine (exit status, the SIGKILL after the
     * grace period): once, on the file engine, keeps the module's build short.
     */
    boolean runsEngineIndependentChecks() {
        return false;
    }

    @BeforeEach
    void writeConfiguration() throws Exception {
        tool = new Tool(directory, Map.of());
        tool.write("globallock.yaml", configuration(directory));
    }

    @AfterEach
    void killLeftovers() throws Exception {
        tool.close();
    }

    private static List<String> exec(String name, String script, String... options) {
        List<String> args = new ArrayList<>(List.of("exec", "--name", name));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "sh", "-c", script));
        return args;
    }

    private Tool.Running start(List<String> args) throws Exception {
        return tool.start(args.toArray(new String[0]));
    }

    private Tool.Result run(List<String> args) throws Exception {
        return tool.run(args.toArray(new String[0]));
    }

    @Test
    @DisplayName("concurrent execs on one name run their commands one after the other")
    void concurrentExecsDoNotOverlap() throws Exception {
        String script = "echo \"$GLOBALLOCK_FENCING_TOKEN start $(date +%s%N)\" >> spans; sleep 0.3;"
                + " echo \"$GLOBALLOCK_FENCING_TOKEN end $(date +%s%N)\" >> spans";
        List<Tool.Running> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(start(exec("serial", script, "--wait", "60s")));
        }
        for (Tool.Running running : runs) {
            Tool.Result result = running.await(PATIENCE.multipliedBy(2));
            assertThat(result.exitCode).as(result.toString()).isZero();
        }
        List<long[]> spans = new ArrayList<>(); // token, start, end
        for (String line : Tool.read(tool.file("spans")).strip().split("\n")) {
            String[] parts = line.split(" ");
            long token = Long.parseLong(parts[0]);
            long at = Long.parseLong(parts[2]);
            if (parts[1].equals("start")) {
                spans.add(new long[] {token, at, -1});
            } else {
                spans.stream().filter(s -> s[0] == token).findFirst().orElseThrow()[2] = at;
            }
        }
        assertThat(spans).hasSize(3);
        spans.sort((a, b) -> Long.compare(a[1], b[1]));
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i)[1])
                    .as("command %d starts after command %d ended", i + 1, i)
                    .isGreaterThan(spans.get(i - 1)[2]);
            assertThat(spans.get(i)[0]).as("fencing tokens increase").isGreaterThan(spans.get(i - 1)[0]);
        }
    }

    @Test
    @DisplayName("--no-wait and a bounded --wait exit with the busy code; status shows the holder")
    void busyLockGivesTheBusyCode() throws Exception {
        Tool.Running holder = start(exec(
                "busy",
                "echo $$ > holder.pid; echo $GLOBALLOCK_FENCING_TOKEN > held; while [ ! -f go ]; do sleep 0.05; done"));
        String token = tool.awaitFile("held", PATIENCE);

        Tool.Result noWait = run(exec("busy", "echo ran > ran", "--no-wait"));
        assertThat(noWait.exitCode).as(noWait.toString()).isEqualTo(75);
        assertThat(noWait.err).contains("lock 'busy' is busy");
        assertThat(tool.file("ran")).doesNotExist();

        Tool.Result custom = run(exec("busy", "true", "-n", "-E", "3", "--quiet"));
        assertThat(custom.exitCode).as(custom.toString()).isEqualTo(3);
        assertThat(custom.err).isEmpty();

        Tool.Result bounded = run(exec("busy", "true", "--wait", "300ms"));
        assertThat(bounded.exitCode).as(bounded.toString()).isEqualTo(75);
        assertThat(bounded.err).contains("not acquired within 300ms");

        Tool.Result held = tool.run("status", "--name", "busy");
        assertThat(held.exitCode).as(held.toString()).isEqualTo(1);
        assertThat(held.out).contains("busy: held");
        if (held.out.contains("fencing token")) {
            assertThat(held.out).contains("fencing token " + token);
        }

        tool.write("go", "");
        Tool.Result done = holder.await(PATIENCE);
        assertThat(done.exitCode).as(done.toString()).isZero();
        Tool.Result free = tool.run("status", "--name", "busy");
        assertThat(free.exitCode).as(free.toString()).isZero();
        assertThat(free.out).contains("busy: free");
    }

    @Test
    @DisplayName("the command gets the lock's name and token, and its exit status is globallock's")
    void exitStatusAndEnvironment() throws Exception {
        assumeTrue(runsEngineIndependentChecks(), "checked on the file engine");
        Tool.Result seven = run(exec(
                "status",
                "test \"$GLOBALLOCK_NAME\" = status && test \"$GLOBALLOCK_FENCING_TOKEN\" -gt 0"
                        + " && test -n \"$GLOBALLOCK_ENGINE\" && exit 7"));
        assertThat(seven.exitCode).as(seven.toString()).isEqualTo(7);
        Tool.Result killed = run(exec("status", "kill -KILL $$"));
        assertThat(killed.exitCode).as("128 + SIGKILL").isEqualTo(137);
        Tool.Result ok = run(exec("status", "exit 0"));
        assertThat(ok.exitCode).as(ok.toString()).isZero();
    }

    @Test
    @DisplayName("a holder killed with SIGKILL frees the lock")
    void sigkilledHolderFreesTheLock() throws Exception {
        List<String> holderArgs = new ArrayList<>(List.of("exec", "--name", "crash"));
        holderArgs.addAll(crashableHolderOptions());
        holderArgs.addAll(List.of("--", "sh", "-c", "echo $$ > child.pid; echo x > held; sleep 60"));
        Tool.Running holder = start(holderArgs);
        tool.awaitFile("held", PATIENCE);
        assertThat(run(exec("crash", "true", "--no-wait")).exitCode).isEqualTo(75);

        holder.process.destroyForcibly();
        assertThat(holder.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();

        Tool.Result next = run(exec("crash", "echo ran > ran", "--wait", "20s"));
        assertThat(next.exitCode).as(next.toString()).isZero();
        assertThat(tool.file("ran")).exists();
        System.out.printf(
                "lock free %d ms after SIGKILL of its holder%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    }

    @Test
    @DisplayName("a lost lease stops the command with SIGTERM and exits with the lost code")
    void lostLeaseStopsTheCommand() throws Exception {
        Tool.Running holder = start(exec(
                "lost",
                "echo $$ > child.pid; trap 'echo term >> got; exit 0' TERM; echo x > held;"
                        + " while :; do sleep 0.1; done",
                "--lease",
                "2s"));
        tool.awaitFile("held", PATIENCE);
        forget("lost");
        Tool.Result result = holder.await(PATIENCE);
        assertThat(result.exitCode).as(result.toString()).isEqualTo(79);
        assertThat(result.err).contains("lease of lock 'lost' was lost");
        assertThat(tool.awaitFile("got", PATIENCE)).isEqualTo("term");
    }

    @Test
    @DisplayName("a command that ignores SIGTERM after a lost lease is killed after the grace period")
    void lostLeaseKillsAStubbornCommand() throws Exception {
        assumeTrue(runsEngineIndependentChecks(), "checked on the file engine");
        Tool.Running holder = start(exec(
                "stubborn",
                "echo $$ > child.pid; trap '' TERM; echo x > held; while :; do sleep 0.1; done",
                "--lease",
                "2s",
                "--grace",
                "1s",
                "--lost-exit-code",
                "9"));
        long pid = Long.parseLong(tool.awaitFile("child.pid", PATIENCE));
        tool.awaitFile("held", PATIENCE);
        forget("stubborn");
        Tool.Result result = holder.await(PATIENCE);
        assertThat(result.exitCode).as(result.toString()).isEqualTo(9);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the command was killed")
                .isFalse();
    }

    @Test
    @DisplayName("SIGTERM to globallock reaches the command, globallock exits with its status and frees the lock")
    void sigtermIsForwarded() throws Exception {
        Tool.Running holder = start(exec(
                "term",
                "echo $$ > child.pid; trap 'echo term >> got; exit 3' TERM; echo x > held;"
                        + " while :; do sleep 0.1; done"));
        tool.awaitFile("held", PATIENCE);
        holder.process.destroy(); // SIGTERM to the JVM
        Tool.Result result = holder.await(PATIENCE);
        assertThat(result.exitCode).as(result.toString()).isEqualTo(3);
        assertThat(tool.awaitFile("got", PATIENCE)).isEqualTo("term");
        Tool.Result next = run(exec("term", "true", "--no-wait"));
        assertThat(next.exitCode).as("released at once, not by expiry: " + next).isZero();
    }
}
