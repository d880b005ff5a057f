/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code globallock}: the top-level command; it holds the subcommands and their common options. */
@Command(
        name = "globallock",
        mixinStandardHelpOptions = true,
        versionProvider = GlobalLockCommand.Version.class,
        description = "Runs commands under a named lock on Redis, etcd, ZooKeeper or host-local lock files.",
        subcommands = {ExecCommand.class, StatusCommand.class, EnginesCommand.class, CheckCommand.class},
        footer = {
            "",
            "Configuration: --config FILE, else $GLOBALLOCK_CONFIG, else ./globallock.yaml, else the file engine.",
            "Exit codes: 64 usage, 69 backend unavailable, 70 internal error, 75 lock busy (exec -E),",
            "78 configuration, 79 lease lost (exec --lost-exit-code), 126/127 command not runnable/found;",
            "otherwise exec exits with its command's status."
        })
final class GlobalLockCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Given before or after the subcommand (inherited options). */
    @Mixin
    CommonOptions common;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: exec, status, engines or check");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = GlobalLockCommand.class.getPackage().getImplementationVersion();
            return new String[] {"globallock " + (version == null ? "(development build)" : version)};
        }
    }
}
