/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.file.FileLockEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code globallock exec} on the host-local file engine. */
class FileEngineExecIT extends ExecContract {
    private Path locks;

    @Override
    String configuration(Path directory) {
        locks = directory.resolve("locks");
        return "engine: file\nfile:\n  directory: " + locks + "\n";
    }

    @Override
    void forget(String name) throws Exception {
        Files.delete(FileLockEngine.lockFile(locks.toRealPath(), name));
    }

    @Override
    boolean runsEngineIndependentChecks() {
        return true;
    }

    @Override
    List<String> crashableHolderOptions() {
        return List.of(); // the OS frees a dead process's file locks at once
    }
}
