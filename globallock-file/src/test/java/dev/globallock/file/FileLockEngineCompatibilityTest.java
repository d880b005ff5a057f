/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.tck.LockEngineCompatibilityKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The host-local file engine passes the whole contract; several managers stand for several processes. */
class FileLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static final Path DIRECTORY = createDirectory();

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("globallock-file-tck");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of("engine", "file", "file", Map.of("directory", DIRECTORY.toString()));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        // a lock directory that cannot exist: below a regular file
        return Map.of("engine", "file", "file", Map.of("directory", "/dev/null/globallock-locks"));
    }

    @Override
    protected void forgetOnBackend(String key) throws IOException {
        Files.delete(FileLockEngine.lockFile(DIRECTORY.toRealPath(), key));
    }
}
