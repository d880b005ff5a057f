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
 * The second JVM of {@link FileLocksAcrossProcessesTest}: takes a lock on the file engine, prints
 * {@code HELD <token>}, releases it when a line {@code release} arrives on stdin, prints {@code
 * RELEASED} and exits.
 */
public final class HoldLockMain {
    private HoldLockMain() {}

    public static void main(String[] args) throws Exception {
        String directory = args[0];
        String name = args[1];
        try (GlobalLockManager locks =
                        GlobalLockManager.create(Map.of("engine", "file", "file", Map.of("directory", directory)));
                BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            LockHandle handle = locks.lock(name);
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
