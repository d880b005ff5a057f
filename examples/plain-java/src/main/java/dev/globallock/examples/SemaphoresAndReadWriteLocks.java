/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockReadWrite;
import dev.globallock.LockSemaphore;
import java.time.Duration;
import java.util.function.LongConsumer;

/** The calls of docs/semaphores-and-read-write-locks.md. */
public final class SemaphoresAndReadWriteLocks {
    private SemaphoresAndReadWriteLocks() {}

    static void semaphore(GlobalLockManager locks, LongConsumer export) {
        // tag::semaphore[]
        LockSemaphore exports = locks.semaphore("exports", 4); // every user of the name says 4
        LockOptions oneMinute =
                LockOptions.builder().waitTime(Duration.ofMinutes(1)).build();
        try (LockHandle permit = exports.acquire(oneMinute)) { // at most 4 holders at once
            permit.onLost(() -> System.err.println("exports: permit lost, stop"));
            export.accept(permit.fencingToken());
        } // closing gives the permit back
        // end::semaphore[]
    }

    static void readWriteLock(GlobalLockManager locks, LongConsumer read, LongConsumer write) {
        // tag::read-write-lock[]
        LockReadWrite prices = locks.readWriteLock("price-list");
        LockOptions tenSeconds =
                LockOptions.builder().waitTime(Duration.ofSeconds(10)).build();
        try (LockHandle reading = prices.readLock().lock(tenSeconds)) { // many readers together
            read.accept(reading.fencingToken());
        }
        try (LockHandle writing = prices.writeLock().lock(tenSeconds)) { // one writer, no reader
            write.accept(writing.fencingToken());
            try (LockHandle stillReading = prices.readLock().lock(tenSeconds)) { // a downgrade: granted at once
                writing.close(); // readers may come in now; other writers still wait for this read
                read.accept(stillReading.fencingToken());
            }
        }
        // end::read-write-lock[]
    }
}
