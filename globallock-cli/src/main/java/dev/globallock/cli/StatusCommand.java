/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.Durations;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockInfo;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code globallock status --name LOCK}: held or free, with the holder's token and lease where known. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Tells whether the lock is held, without taking it: the holder's fencing token and remaining lease",
            "where the engine can tell. Exits 0 when free, 1 when held."
        })
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--name", required = true, paramLabel = "LOCK", description = "The lock's name.")
    String name;

    @ParentCommand
    GlobalLockCommand parent;

    @Override
    public Integer call() {
        try (GlobalLockManager locks = parent.common.open(builder -> {})) {
            Optional<LockInfo> inspected = locks.inspect(name);
            if (inspected.isEmpty()) {
                throw new CliException(
                        ExitCodes.UNAVAILABLE, "engine '" + locks.engineName() + "' cannot inspect locks");
            }
            LockInfo info = inspected.get();
            if (!info.isHeld()) {
                System.out.println(name + ": free (engine " + locks.engineName() + ")");
                return 0;
            }
            StringBuilder line = new StringBuilder(name).append(": held");
            info.fencingToken()
                    .ifPresent(token -> line.append(", fencing token ").append(token));
            info.remainingLease()
                    .ifPresent(left -> line.append(", lease ends in ").append(Durations.format(left)));
            line.append(" (engine ").append(locks.engineName()).append(")");
            System.out.println(line);
            return 1;
        }
    }
}
