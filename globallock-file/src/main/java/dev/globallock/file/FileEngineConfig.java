/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code file} engine's settings. Immutable and thread-safe; build it with {@link #builder()}.
 *
 * <pre>{@code
 * FileEngineConfig config = FileEngineConfig.builder().directory(Path.of("/run/myapp/locks")).build();
 * GlobalLockManager locks = GlobalLockManager.builder().engine(FileLockEngine.open(config)).build();
 * }</pre>
 */
public final class FileEngineConfig {
    /** The default longest pause between two attempts on a lock another process holds. */
    public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofMillis(100);

    private final Path directory;
    private final Duration maxPollInterval;
    private final boolean fsync;

    private FileEngineConfig(Builder builder) {
        this.directory = builder.directory != null ? builder.directory : defaultDirectory();
        this.maxPollInterval = builder.maxPollInterval != null ? builder.maxPollInterval : DEFAULT_MAX_POLL_INTERVAL;
        this.fsync = builder.fsync != null ? builder.fsync : true;
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A configuration with every setting at its default. */
    public static FileEngineConfig defaults() {
        return builder().build();
    }

    /**
     * The default lock directory: {@code $XDG_STATE_HOME/globallock/locks}, or {@code
     * ~/.local/state/globallock/locks} when {@code XDG_STATE_HOME} is unset or empty.
     */
    public static Path defaultDirectory() {
        String state = System.getenv("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank()
                ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("globallock").resolve("locks");
    }

    /** Where the lock files live. */
    public Path directory() {
        return directory;
    }

    /**
     * The longest pause between two attempts of a waiter whose lock another process holds and no
     * release notification woke (the holder crashed, or the platform has no file notifications).
     */
    public Duration maxPollInterval() {
        return maxPollInterval;
    }

    /** Whether each new fencing token is forced to disk before the lock is granted. */
    public boolean fsync() {
        return fsync;
    }

    @Override
    public String toString() {
        return "FileEngineConfig{directory=" + directory + ", maxPollInterval=" + Durations.format(maxPollInterval)
                + ", fsync=" + fsync + "}";
    }

    /** Builds a {@link FileEngineConfig}. Not thread-safe; each setting may be set once. */
    public static final class Builder {
        private Path directory;
        private Duration maxPollInterval;
        private Boolean fsync;

        private Builder() {}

        /** The lock directory; created (with its parents) when the engine opens. */
        public Builder directory(Path directory) {
            Objects.requireNonNull(directory, "directory");
            checkUnset(this.directory, "directory");
            this.directory = directory;
            return this;
        }

        /** The longest pause between two attempts on a lock another process holds; 1 ms to 10 s. */
        public Builder maxPollInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            checkUnset(this.maxPollInterval, "maxPollInterval");
            if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException(
                        "maxPollInterval must be between 1ms and 10s but was " + Durations.format(interval));
            }
            this.maxPollInterval = interval;
            return this;
        }

        /** Whether to force each new fencing token to disk before granting (default true). */
        public Builder fsync(boolean fsync) {
            checkUnset(this.fsync, "fsync");
            this.fsync = fsync;
            return this;
        }

        private static void checkUnset(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        public FileEngineConfig build() {
            return new FileEngineConfig(this);
        }
    }
}
