/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockOptions;
import dev.globallock.LockReadWrite;
import dev.globallock.bench.PrimitiveMeasures.Handoffs;
import dev.globallock.bench.PrimitiveMeasures.Library;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The benchmark's measures on the memory engine: what they record, and that a broken lock ends the run. */
class PrimitiveMeasuresTest {
    private static final LockOptions FOREVER =
            LockOptions.builder().waitForever().build();

    private final GlobalLockManager readers = GlobalLockManager.inMemory();
    private final GlobalLockManager writers = GlobalLockManager.inMemory();

    @AfterEach
    void close() {
        readers.close();
        writers.close();
    }

    @Test
    void handoffsRecordFromTheReadersReleaseToTheWaitingWriter() throws Exception {
        LockReadWrite reading = readers.readWriteLock("h");
        LockReadWrite writing = writers.readWriteLock("h");
        Library library = library(
                () -> reading.readLock().lock(FOREVER)::release,
                () -> writing.writeLock().lock(FOREVER)::release);

        Handoffs handoffs = PrimitiveMeasures.handoffs(List.of(library, library), 5, Duration.ofSeconds(30));

        assertThat(handoffs.count()).isEqualTo(5);
        for (long[] samples : handoffs.nanos()) {
            assertThat(samples).hasSize(5).doesNotContain(0L);
            assertThat(Arrays.stream(samples).min().orElseThrow()).isPositive();
            assertThat(Arrays.stream(samples).max().orElseThrow())
                    .isLessThan(Duration.ofSeconds(30).toNanos());
        }
        assertThat(handoffs.quantile(0, 0.99)).isGreaterThanOrEqualTo(handoffs.quantile(0, 0.5));
    }

    @Test
    void aWriterGrantedBesideTheReaderEndsTheRun() {
        LockReadWrite reading = readers.readWriteLock("broken");
        LockReadWrite alsoReading = writers.readWriteLock("broken");
        Library twoReaders = library(
                () -> reading.readLock().lock(FOREVER)::release,
                () -> alsoReading.readLock().lock(FOREVER)::release);

        assertThatThrownBy(() -> PrimitiveMeasures.handoffs(List.of(twoReaders), 5, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("test: the writer was granted while a reader held the lock");
    }

    @Test
    void aRefusedUncontendedAcquisitionEndsTheRun() {
        assertThatThrownBy(() -> PrimitiveMeasures.opsPerSecond(
                        List.of("memory, test, semaphore"),
                        List.of(() -> false),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("memory, test, semaphore: an uncontended acquisition was refused");
    }

    private static Library library(BenchLock reader, BenchLock writer) {
        return new Library("test", () -> true, () -> true, reader, writer);
    }
}
