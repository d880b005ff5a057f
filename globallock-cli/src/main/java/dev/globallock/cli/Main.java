/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockInterruptedException;
import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The {@code globallock} command's entry point: parses, runs, maps failures to exit codes. */
public final class Main {
    private static volatile boolean verbose;
    private static volatile boolean exiting;

    private Main() {}

    public static void main(String[] args) {
        quietLogging();
        int code = run(args);
        System.out.flush();
        System.err.flush();
        exiting = true;
        System.exit(code);
    }

    /** Runs the command line and returns the exit code (does not exit). */
    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new GlobalLockCommand());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.getSubcommands().get("exec").setStopAtPositional(true);
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExecutionExceptionHandler((failure, failed, parseResult) -> report(failure, failed));
        return commandLine.execute(args);
    }

    static void setVerbose(boolean value) {
        verbose = value;
        Level level = value ? Level.INFO : Level.OFF;
        Logger root = LogManager.getLogManager().getLogger("");
        root.setLevel(level);
        for (java.util.logging.Handler handler : root.getHandlers()) {
            handler.setLevel(level);
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", value ? "info" : "off");
    }

    /** Whether the JVM is shutting down because globallock finished (not because of a signal). */
    static boolean exiting() {
        return exiting;
    }

    static boolean verbose() {
        return verbose;
    }

    /** Libraries log nothing unless {@code --verbose}: globallock prints its own one-line messages. */
    private static void quietLogging() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        Logger root = LogManager.getLogManager().getLogger("");
        root.setLevel(Level.OFF);
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        err.println("globallock: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** One line on stderr, the stack trace only with --verbose, and the exit code of the failure. */
    static int report(Exception failure, CommandLine failed) {
        int code;
        String message;
        if (failure instanceof CliException) {
            code = ((CliException) failure).exitCode();
            message = failure.getMessage();
        } else if (failure instanceof LockConfigException) {
            code = ExitCodes.CONFIG;
            message = "invalid configuration: " + String.join("; ", ((LockConfigException) failure).problems());
        } else if (failure instanceof LockBackendException) {
            code = ExitCodes.UNAVAILABLE;
            message = oneLine(failure.getMessage());
        } else if (failure instanceof LockInterruptedException) {
            code = 130;
            message = oneLine(failure.getMessage());
        } else if (failure instanceof IllegalArgumentException) {
            code = ExitCodes.USAGE;
            message = oneLine(failure.getMessage());
        } else {
            code = ExitCodes.SOFTWARE;
            message = "unexpected error: " + failure;
        }
        PrintWriter err = failed == null ? new PrintWriter(System.err, true) : failed.getErr();
        err.println("globallock: " + message);
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Joins a multi-line message (a list of configuration problems) into one line. */
    static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        return message.strip().replaceAll("\\s*\\R\\s*(- )?", "; ");
    }
}
