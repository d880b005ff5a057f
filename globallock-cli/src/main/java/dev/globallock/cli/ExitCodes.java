/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

/**
 * The exit codes of {@code globallock}, after {@code sysexits.h} where one fits. {@code exec} exits
 * with its command's status otherwise (128 + n when the command died of signal n).
 */
final class ExitCodes {
    /** Bad command line: unknown option, missing {@code --name}, bad duration (EX_USAGE). */
    static final int USAGE = 64;
    /** The backend could not be reached or failed (EX_UNAVAILABLE). */
    static final int UNAVAILABLE = 69;
    /** A bug in globallock, or {@code check} found the engine breaking the lock contract (EX_SOFTWARE). */
    static final int SOFTWARE = 70;
    /** The lock was not acquired within the wait: busy (EX_TEMPFAIL); {@code exec -E} changes it. */
    static final int BUSY = 75;
    /** The configuration is wrong or missing (EX_CONFIG). */
    static final int CONFIG = 78;
    /** The lease was lost while the command ran; the command was stopped; {@code --lost-exit-code} changes it. */
    static final int LEASE_LOST = 79;
    /** The command was found but could not be run (as in the shell). */
    static final int CANNOT_EXECUTE = 126;
    /** The command was not found (as in the shell). */
    static final int NOT_FOUND = 127;

    private ExitCodes() {}
}
