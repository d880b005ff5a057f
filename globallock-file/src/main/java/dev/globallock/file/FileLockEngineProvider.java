/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code file} engine: host-local locks on files under {@code file.directory}. Keys: {@code
 * directory} (default {@code $XDG_STATE_HOME/globallock/locks}, a leading {@code ~/} meaning the
 * home directory), {@code max-poll-interval} (100ms) and {@code fsync} (true).
 */
public final class FileLockEngineProvider implements LockEngineProvider {
    /** Made by {@link java.util.ServiceLoader}; cheap, no I/O. */
    public FileLockEngineProvider() {}

    @Override
    public String name() {
        return "file";
    }

    @Override
    public String description() {
        return "host-local locks: OS file locks on lock files in a directory, freed when the process dies";
    }

    @Override
    public EngineCapabilities capabilities() {
        return FileLockEngine.CAPABILITIES;
    }

    @Override
    public LockEngine create(ConfigSection section) {
        FileEngineConfig.Builder builder = FileEngineConfig.builder();
        Optional<String> directory = section.string("directory");
        if (directory.isPresent()) {
            try {
                if (directory.get().isBlank()) {
                    section.problem("directory", directory.get(), "it must name a directory");
                } else {
                    builder.directory(expandHome(directory.get().trim()));
                }
            } catch (InvalidPathException e) {
                section.problem("directory", directory.get(), "it is not a valid path: " + e.getReason());
            }
        }
        Optional<Duration> poll = section.duration("max-poll-interval");
        if (poll.isPresent()) {
            try {
                builder.maxPollInterval(poll.get());
            } catch (IllegalArgumentException e) {
                section.problem(
                        "max-poll-interval", section.string("max-poll-interval", ""), "it must be between 1ms and 10s");
            }
        }
        builder.fsync(section.bool("fsync", true));
        section.validate();
        return FileLockEngine.open(builder.build());
    }

    private static Path expandHome(String directory) {
        if (directory.equals("~") || directory.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + directory.substring(1));
        }
        return Path.of(directory);
    }
}
