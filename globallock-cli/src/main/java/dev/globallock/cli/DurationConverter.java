package dev.globallock.cli;

import dev.globallock.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Reads durations the way the configuration does: 500ms, 10s, 2m, 1h, PT10S. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration: use 500ms, 10s, 2m, 1h or PT10S");
        }
    }
}
