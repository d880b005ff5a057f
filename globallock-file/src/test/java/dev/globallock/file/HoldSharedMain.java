/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A second JVM of {@link FileSharedLocksAcrossProcessesTest}: one attempt at a read lock ({@code
 * read}), a write lock ({@code write}) or a permit of a semaphore ({@code permit:N}) on the file
 * engine; prints {@code HELD <token>} and releases when a line {@code release} arrives (then prints
 * {@code RELEASED} and exits), or prints {@code BUSY} and exits.
 */
public final class HoldSharedMain {
    private HoldSharedMain() {}

    public static void main(String[] args) throws Exception {
        String directory = args[0];
        String kind = args[1];
        String name = args[2];
        try (GlobalLockManager locks =
                        GlobalLockManager.create(Map.of("engine", "file", "file", Map.of("directory", directory)));
                BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            LockHandle handle = kind.startsWith("permit:")
                    ? locks.semaphore(name, Integer.parseInt(kind.substring(7))).tryAcquire()
                    : kind.equals("read")
                            ? locks.readWriteLock(name).readLock().tryLock()
                            : locks.readWriteLock(name).writeLock().tryLock();
            if (!handle.isLocked()) {
                System.out.println("BUSY");
                System.out.flush();
                return;
            }
            System.out.println("HELD " + handle.fencingToken());
            System.out.flush();
            String line;
            while ((line = stdin.readLine()) != null) {
                if (line.equals("release")) {
                    handle.release();
                    System.out.println("RELEASED");
                    System.out.flush();
                    return;
                }
            }
        }
    }
}
