/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads durations the way the configuration does (500ms, 10s, 2m, 1h, PT10S); a value that is not
 * one is a usage error with the library's reason.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(notADuration(value, e));
        }
    }

    /** {@code '5sec' is not a duration: use …}, from the library's {@code it is not a duration: use …}. */
    static String notADuration(String value, IllegalArgumentException e) {
        String reason = String.valueOf(e.getMessage());
        return "'" + value + (reason.startsWith("it ") ? "' " + reason.substring(3) : "': " + reason);
    }
}
