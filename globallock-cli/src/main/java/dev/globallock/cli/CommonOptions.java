/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.ConfigLoader;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every subcommand shares, and the configuration lookup: {@code --config}, then {@code
 * GLOBALLOCK_CONFIG}, then {@code ./globallock.yaml}, else the {@code file} engine with its defaults.
 * A mixin of the top command whose options are inherited: they may be given before the subcommand
 * or after it, and land here either way (subcommands reach it through {@link GlobalLockCommand}).
 */
final class CommonOptions {
    static final String ENVIRONMENT_VARIABLE = "GLOBALLOCK_CONFIG";
    static final String DEFAULT_FILE = "globallock.yaml";

    @Option(
            names = {"-c", "--config"},
            scope = ScopeType.INHERIT,
            paramLabel = "FILE",
            description = "The configuration (YAML). Default: $GLOBALLOCK_CONFIG, else ./globallock.yaml, "
                    + "else the host-local file engine.")
    Path config;

    @Option(
            names = {"-e", "--engine"},
            scope = ScopeType.INHERIT,
            paramLabel = "NAME",
            description = "The engine to use, overriding the configuration's 'engine' (its section is used).")
    String engine;

    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            description = "Log what the engines do, and print stack traces with errors.")
    void verbose(boolean verbose) {
        Main.setVerbose(verbose);
    }

    /** Where the configuration comes from, for messages; "defaults" when none was found. */
    String source() {
        Path file = configFile();
        String from = file == null ? "no configuration file" : file.toString();
        if (engine != null) {
            return "--engine " + engine + " with " + from;
        }
        return file == null ? "no configuration file: the file engine with its defaults" : from;
    }

    private Path configFile() {
        if (config != null) {
            return config;
        }
        String fromEnvironment = System.getenv(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        Path local = Path.of(DEFAULT_FILE);
        return Files.isRegularFile(local) ? local : null;
    }

    /** The configuration map, with {@code --engine} applied. */
    Map<String, Object> load() {
        Path file = configFile();
        Map<String, Object> map = file == null ? new LinkedHashMap<>(Map.of("engine", "file")) : read(file);
        if (engine != null) {
            map.put("engine", engine);
        }
        return map;
    }

    /**
     * Opens a manager on the configuration; the customizer may override settings.
     *
     * @throws CliException naming the configuration's source when it is wrong
     */
    GlobalLockManager open(Consumer<GlobalLockManager.Builder> customizer) {
        try {
            GlobalLockManager.Builder builder = GlobalLockManager.builder().config(load());
            customizer.accept(builder);
            return builder.build();
        } catch (LockConfigException e) {
            throw new CliException(
                    ExitCodes.CONFIG,
                    "invalid configuration (" + source() + "): " + String.join("; ", e.problems()),
                    e);
        }
    }

    /** The library's YAML reading: its messages for a missing file, a directory, malformed YAML. */
    private static Map<String, Object> read(Path file) {
        Map<String, Object> map = new LinkedHashMap<>();
        ConfigLoader.readYaml(file).forEach((k, v) -> map.put(String.valueOf(k), v));
        return map;
    }
}
