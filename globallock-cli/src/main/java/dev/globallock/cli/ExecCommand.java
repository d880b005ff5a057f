/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.Durations;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code globallock exec}: acquires the lock, runs the command with the lock's name and fencing
 * token in its environment while the watchdog keeps the lease alive, releases when the command
 * exits, and exits with the command's status.
 *
 * <p>Signals: SIGINT, SIGTERM and SIGHUP to globallock run its shutdown hook, which sends SIGTERM
 * to the command, waits up to {@code --grace}, then SIGKILLs it, releases the lock, and exits with
 * the command's status. (A terminal's Ctrl-C reaches the command directly too: it shares the
 * terminal's process group.) A lost lease stops the command the same way and exits with {@code
 * --lost-exit-code}. If globallock itself is killed with SIGKILL, the lock is freed (by the OS for
 * the file engine, at the end of the lease elsewhere) but the command keeps running unprotected.
 */
@Command(
        name = "exec",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Runs COMMAND while holding the lock LOCK, then releases it and exits with the command's status.",
            "The command gets GLOBALLOCK_NAME, GLOBALLOCK_FENCING_TOKEN and GLOBALLOCK_ENGINE in its environment."
        })
final class ExecCommand implements Callable<Integer> {
    private static final Pattern ERRNO = Pattern.compile("error(?:=|: )(\\d+)(?:, | \\()([^)]*)");

    @Option(names = "--name", required = true, paramLabel = "LOCK", description = "The lock's name.")
    String name;

    @ArgGroup(exclusive = true)
    Wait wait;

    static final class Wait {
        @Option(
                names = {"-w", "--wait"},
                paramLabel = "DURATION",
                converter = WaitConverter.class,
                description = "Wait at most this long for the lock (500ms, 10s, 2m, or 'forever'). "
                        + "Default: the configuration's defaults.wait-time, else forever.")
        LockOptions waitTime;

        @Option(
                names = {"-n", "--no-wait"},
                description = "One attempt: fail at once with the busy exit code if the lock is taken.")
        boolean noWait;
    }

    /** {@code forever}, or a duration: read while parsing, so a bad value is a usage error. */
    static final class WaitConverter implements CommandLine.ITypeConverter<LockOptions> {
        @Override
        public LockOptions convert(String value) {
            if (value.trim().equalsIgnoreCase("forever")) {
                return LockOptions.builder().waitForever().build();
            }
            try {
                return LockOptions.builder().waitTime(Durations.parse(value)).build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        DurationConverter.notADuration(value, e) + ", or 'forever'");
            }
        }
    }

    @Option(
            names = {"-l", "--lease"},
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "The watchdog lease, renewed every third of it while the command runs: how long the lock"
                            + " outlives a frozen or vanished globallock on a server-based engine. Default: watchdog.lease (30s).")
    Duration lease;

    @Option(
            names = {"-E", "--conflict-exit-code"},
            paramLabel = "CODE",
            defaultValue = "75",
            description = "Exit code when the lock was not acquired within the wait. Default: ${DEFAULT-VALUE}.")
    int busyExitCode;

    @Option(
            names = "--lost-exit-code",
            paramLabel = "CODE",
            defaultValue = "79",
            description = "Exit code when the lease was lost and the command was stopped. Default: ${DEFAULT-VALUE}.")
    int lostExitCode;

    @Option(
            names = "--grace",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Time between SIGTERM and SIGKILL when the command must stop. Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing when the lock is busy (the exit code tells).")
    boolean quiet;

    @ParentCommand
    GlobalLockCommand parent;

    @Parameters(
            arity = "1..*",
            paramLabel = "COMMAND",
            description = "The command and its arguments (put -- before it when it has options of its own).")
    List<String> command;

    @Override
    public Integer call() {
        checkExitCode(busyExitCode, "--conflict-exit-code");
        checkExitCode(lostExitCode, "--lost-exit-code");
        LockOptions options = lockOptions();
        GlobalLockManager locks = parent.common.open(builder -> {
            if (lease != null) {
                builder.watchdogLease(lease);
            }
        });
        Run run = new Run(locks);
        Thread hook = new Thread(run::onSignal, "globallock-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run.execute(options);
        } finally {
            run.finish();
        }
    }

    private static void checkExitCode(int code, String option) {
        if (code < 0 || code > 255) {
            throw new CliException(ExitCodes.USAGE, option + " was " + code + " but it must be between 0 and 255");
        }
    }

    private LockOptions lockOptions() {
        if (wait == null) {
            return LockOptions.defaults();
        }
        if (wait.noWait) {
            return LockOptions.builder().noWait().build();
        }
        return wait.waitTime;
    }

    /** One run: the lock, the child, and who finishes them (the main thread or the signal hook). */
    private final class Run {
        private final GlobalLockManager locks;
        private final ReentrantLock startLock = new ReentrantLock();
        private final ReentrantLock finishLock = new ReentrantLock();
        private LockHandle handle;
        private Process child;
        private boolean signalled;
        private boolean finished;
        private volatile boolean lost;

        Run(GlobalLockManager locks) {
            this.locks = locks;
        }

        int execute(LockOptions options) {
            LockHandle acquired;
            try {
                acquired = locks.lock(name, options);
            } catch (LockTimeoutException e) {
                if (!quiet) {
                    System.err.println("globallock: lock '" + name + "' is busy"
                            + (wait != null && wait.noWait
                                    ? ""
                                    : " (not acquired within " + Durations.format(e.waitTime()) + ")"));
                }
                return busyExitCode;
            } catch (IllegalStateException e) {
                // the manager was closed under the wait: a signal arrived
                throw new CliException(130, "interrupted while waiting for lock '" + name + "'", e);
            }
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            Map<String, String> environment = builder.environment();
            environment.put("GLOBALLOCK_NAME", name);
            environment.put("GLOBALLOCK_FENCING_TOKEN", Long.toString(acquired.fencingToken()));
            environment.put("GLOBALLOCK_ENGINE", locks.engineName());
            Process process;
            startLock.lock();
            try {
                handle = acquired;
                if (signalled) {
                    throw new CliException(130, "stopped by a signal before the command started");
                }
                try {
                    process = builder.start();
                } catch (IOException e) {
                    throw cannotRun(e);
                }
                child = process;
            } finally {
                startLock.unlock();
            }
            acquired.onLost(this::leaseLost);
            int status = waitFor(process);
            finish();
            if (lost) {
                return lostExitCode;
            }
            return status;
        }

        /**
         * The shell's codes: 127 when the command does not exist (errno 2), 126 otherwise. JDK 17
         * says {@code error=2, No such file or directory}, later ones {@code Exec failed, error: 2
         * (No such file or directory)}.
         */
        private CliException cannotRun(IOException e) {
            String message = String.valueOf(e.getMessage());
            Matcher errno = ERRNO.matcher(message);
            boolean found = errno.find();
            String why = found ? errno.group(2).trim() : message;
            boolean notFound = found && errno.group(1).equals("2");
            return new CliException(
                    notFound ? ExitCodes.NOT_FOUND : ExitCodes.CANNOT_EXECUTE,
                    "cannot run '" + command.get(0) + "': " + why,
                    e);
        }

        /** Runs on a manager thread when the engine reports the lease gone: stop the command. */
        private void leaseLost() {
            lost = true;
            Process process = child;
            if (process == null || !process.isAlive()) {
                return;
            }
            System.err.println("globallock: the lease of lock '" + name + "' was lost while the command ran;"
                    + " stopping it (SIGTERM, then SIGKILL after " + Durations.format(grace) + ")");
            stop(process);
        }

        /** SIGTERM now; SIGKILL to it and its descendants after the grace period. */
        private void stop(Process process) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroy();
            CompletableFuture.runAsync(
                    () -> {
                        if (process.isAlive()) {
                            descendants.forEach(ProcessHandle::destroyForcibly);
                            process.destroyForcibly();
                        }
                    },
                    CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS));
        }

        /** The shutdown hook: a signal, unless globallock is exiting by itself. */
        void onSignal() {
            if (Main.exiting()) {
                return;
            }
            Process process;
            startLock.lock();
            try {
                signalled = true;
                process = child;
            } finally {
                startLock.unlock();
            }
            if (process == null) {
                finish(); // abandons the wait, or releases a lock taken just now
                return;
            }
            if (process.isAlive()) {
                stop(process);
            }
            int status = waitFor(process);
            finish();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(lost ? lostExitCode : status);
        }

        private int waitFor(Process process) {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    // keep waiting: the child decides when we are done
                }
            }
        }

        /** Releases the lock and closes the manager, once, whoever calls first. */
        void finish() {
            finishLock.lock();
            try {
                if (finished) {
                    return;
                }
                finished = true;
                try {
                    if (handle != null) {
                        handle.close();
                    }
                } catch (RuntimeException e) {
                    if (Main.verbose()) {
                        System.err.println("globallock: releasing lock '" + name + "' failed: " + e.getMessage());
                    }
                } finally {
                    locks.close();
                }
            } finally {
                finishLock.unlock();
            }
        }
    }
}
