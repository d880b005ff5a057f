/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the duration strings globallock accepts: {@code 500ms}, {@code 5s}, {@code
 * 2m}, {@code 1h}, {@code 1d} (a whole number and a unit, no space needed) and ISO-8601 such as
 * {@code PT5S}. Thread-safe, stateless.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {}

    /**
     * Parses a duration string.
     *
     * @throws IllegalArgumentException naming what was expected when the text is not a duration
     *     or is negative
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a duration is required, such as 500ms, 5s, 2m, 1h, 1d or PT5S");
        }
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = SHORT.matcher(trimmed);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            switch (matcher.group(2)) {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                case "h":
                    return Duration.ofHours(amount);
                default:
                    return Duration.ofDays(amount);
            }
        }
        if (trimmed.startsWith("p") || trimmed.startsWith("-p")) {
            try {
                Duration parsed = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
                if (parsed.isNegative()) {
                    throw new IllegalArgumentException(
                            "a duration must not be negative: use, for example, 500ms, 5s or PT5S");
                }
                return parsed;
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException(
                "it is not a duration: use a whole number and a unit (ms, s, m, h, d), such as 500ms or 5s, or ISO-8601 such as PT5S");
    }

    /** Formats a duration the short way when it is a whole number of one unit, else as ISO-8601. */
    public static String format(Duration duration) {
        if (duration == null) {
            return "forever";
        }
        long millis;
        try {
            millis = duration.toMillis();
        } catch (ArithmeticException e) {
            return duration.toString();
        }
        if (!duration.equals(Duration.ofMillis(millis))) {
            return duration.toString();
        }
        if (millis == 0) {
            return "0ms";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis % sizes[i] == 0) {
                return (millis / sizes[i]) + units[i];
            }
        }
        return millis + "ms";
    }
}
