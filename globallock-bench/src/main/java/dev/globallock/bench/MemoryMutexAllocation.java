/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockOptions;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Measures what one uncontended lock + release costs the caller's thread in allocated bytes, on the
 * memory engine: {@code ThreadMXBean#getThreadAllocatedBytes} over 10,000 cycles after a warm-up.
 * Not a test (the number depends on the JVM); run it before and after a change to the acquisition
 * path: {@code java -cp <bench classpath> dev.globallock.bench.MemoryMutexAllocation}.
 */
public final class MemoryMutexAllocation {
    private MemoryMutexAllocation() {}

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int cycles = 10_000;
        try (GlobalLockManager locks =
                GlobalLockManager.create(Map.of("engine", "memory", "memory", Map.of("namespace", "alloc")))) {
            LockOptions options = LockOptions.builder().noWait().build();
            for (int i = 0; i < 50_000; i++) {
                locks.lock("alloc", options).close();
            }
            long[] runs = new long[9];
            for (int run = 0; run < runs.length; run++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < cycles; i++) {
                    locks.lock("alloc", options).close();
                }
                runs[run] = (threads.getThreadAllocatedBytes(thread) - before) / cycles;
            }
            long[] sorted = runs.clone();
            java.util.Arrays.sort(sorted);
            System.out.println("bytes allocated by the caller per lock+release cycle (" + runs.length + " runs of "
                    + cycles + "): min " + sorted[0] + ", median " + sorted[runs.length / 2] + " "
                    + java.util.Arrays.toString(runs));
        }
    }
}
