/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snippets of docs/semaphores-and-read-write-locks.md run, on the memory engine. */
class SemaphoresAndReadWriteLocksTest {
    @Test
    void theSnippetsRun() {
        List<String> calls = new ArrayList<>();
        try (GlobalLockManager locks = GlobalLockManager.inMemory()) {
            SemaphoresAndReadWriteLocks.semaphore(locks, token -> calls.add("export"));
            SemaphoresAndReadWriteLocks.readWriteLock(locks, token -> calls.add("read"), token -> calls.add("write"));
            assertThat(locks.readWriteLock("price-list").writeLock().tryLock().isLocked())
                    .as("everything released")
                    .isTrue();
        }
        assertThat(calls).containsExactly("export", "read", "write", "read");
    }
}
