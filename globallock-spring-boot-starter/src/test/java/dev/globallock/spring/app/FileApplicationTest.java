/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** The two-node application on the host-local file engine (two nodes of one host). */
class FileApplicationTest extends TwoNodeApplicationContract {
    private Path directory;

    @Override
    protected void startBackend() {
        try {
            directory = Files.createTempDirectory("globallock-spring-file-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void closeBackend() {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String engine() {
        return "file";
    }

    @Override
    protected Map<String, Object> engineProperties() {
        return Map.of("file.directory", directory.toString(), "file.fsync", "false");
    }
}
