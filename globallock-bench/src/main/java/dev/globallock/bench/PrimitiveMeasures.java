/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The three measures of {@link PrimitivesBenchmark}, the same for every library: a one-thread loop
 * of acquire + release (ops/s) and the handoff from a releasing reader to a writer waiting in its
 * lock call. Every operation's success is checked; a failure ends the run with an exception naming
 * the library and the measure. Not thread-safe: one benchmark thread drives it (the handoff's
 * waiting writer runs on a single extra thread it owns).
 */
final class PrimitiveMeasures {
    /** How long the writer waits in its lock call before the reader releases (as in {@link ZooKeeperHandoffBench}). */
    static final Duration QUEUED = Duration.ofMillis(20);
    /** Discarded handoffs per library before the recorded ones. */
    static final int WARM_UP_HANDOFFS = 10;
    /** One turn of a library in the interleaved throughput figures. */
    static final Duration SLICE = Duration.ofMillis(250);

    private static final long GRANT_TIMEOUT_SECONDS = 30;

    private PrimitiveMeasures() {}

    /** One acquire + release; false when the acquisition was refused (uncontended, it must not be). */
    @FunctionalInterface
    interface Cycle {
        boolean once() throws Exception;
    }

    /** One library's subjects: two uncontended cycles, and a reader and a writer on two clients of one lock. */
    record Library(String name, Cycle semaphore, Cycle readLock, BenchLock reader, BenchLock writer) {}

    /** The handoff samples, in nanoseconds, of each library in the order given; all of the same length. */
    record Handoffs(List<String> libraries, long[][] nanos, int count) {
        long quantile(int library, double quantile) {
            long[] sorted = Arrays.copyOf(nanos[library], count);
            Arrays.sort(sorted);
            return sorted[(int) Math.min(count - 1, Math.floor(count * quantile))];
        }
    }

    /**
     * Operations per second of each library's cycle ({@code cycles} in the libraries' order), each
     * run for {@code measure} in all: after {@code warmUp} of each alone, in {@link #SLICE} slices
     * interleaved library by library (the order rotating), so that load which comes and goes over
     * seconds hits them alike.
     */
    static double[] opsPerSecond(List<String> names, List<Cycle> cycles, Duration warmUp, Duration measure)
            throws Exception {
        int n = cycles.size();
        for (int l = 0; l < n; l++) {
            slice(names.get(l), cycles.get(l), warmUp, new long[2]);
        }
        long[][] totals = new long[n][2]; // operations, nanoseconds
        long slices = Math.max(1, measure.toNanos() / SLICE.toNanos());
        for (int i = 0; i < slices; i++) {
            for (int k = 0; k < n; k++) {
                int l = (i + k) % n;
                slice(names.get(l), cycles.get(l), SLICE, totals[l]);
            }
        }
        double[] ops = new double[n];
        for (int l = 0; l < n; l++) {
            ops[l] = totals[l][0] * 1e9 / totals[l][1];
        }
        return ops;
    }

    private static void slice(String what, Cycle cycle, Duration duration, long[] totals) throws Exception {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long ops = 0;
        long now;
        do {
            if (!cycle.once()) {
                throw new IllegalStateException(what + ": an uncontended acquisition was refused");
            }
            ops++;
            now = System.nanoTime();
        } while (now - end < 0);
        totals[0] += ops;
        totals[1] += now - start;
    }

    /**
     * Handoff to a waiting writer, the libraries interleaved sample by sample (the order rotating)
     * so that load which comes and goes hits them alike, as {@link ZooKeeperHandoffBench} does. One
     * sample: the reader takes the read lock, the writer (another client, on another thread) calls
     * its lock and is left waiting {@link #QUEUED}, then the reader releases; the time from the
     * start of the release call to the writer's lock call returning. Stops after {@code samples}
     * recorded samples each, or once {@code bound} has passed since the first recorded one.
     */
    static Handoffs handoffs(List<Library> libraries, int samples, Duration bound) throws Exception {
        int n = libraries.size();
        long[][] nanos = new long[n][samples];
        ExecutorService writerThread = Executors.newSingleThreadExecutor();
        try {
            long deadline = 0;
            int count = 0;
            for (int i = -WARM_UP_HANDOFFS; i < samples; i++) {
                if (i == 0) {
                    deadline = System.nanoTime() + bound.toNanos();
                } else if (i > 0 && System.nanoTime() - deadline > 0) {
                    break;
                }
                for (int k = 0; k < n; k++) {
                    int library = Math.floorMod(i + k, n);
                    long sample = handoff(libraries.get(library), writerThread);
                    if (i >= 0) {
                        nanos[library][i] = sample;
                    }
                }
                if (i >= 0) {
                    count++;
                }
            }
            return new Handoffs(libraries.stream().map(Library::name).toList(), nanos, count);
        } finally {
            writerThread.shutdownNow();
        }
    }

    private static long handoff(Library library, ExecutorService writerThread) throws Exception {
        AutoCloseable reading = library.reader().lock();
        CountDownLatch calling = new CountDownLatch(1);
        Future<Long> granted = writerThread.submit(() -> {
            calling.countDown();
            try (AutoCloseable writing = library.writer().lock()) {
                return System.nanoTime();
            }
        });
        calling.await();
        TimeUnit.NANOSECONDS.sleep(QUEUED.toNanos());
        if (granted.isDone()) {
            reading.close();
            try {
                granted.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(library.name() + ": the waiting writer failed", e.getCause());
            }
            throw new IllegalStateException(library.name() + ": the writer was granted while a reader held the lock");
        }
        long releasing = System.nanoTime();
        reading.close();
        long writing;
        try {
            writing = granted.get(GRANT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(library.name() + ": the waiting writer failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    library.name() + ": the writer was not granted within " + GRANT_TIMEOUT_SECONDS
                            + " s of the reader's release",
                    e);
        }
        if (writing - releasing < 0) {
            throw new IllegalStateException(library.name() + ": the writer held the lock "
                    + TimeUnit.NANOSECONDS.toMicros(releasing - writing) + " µs before the reader released it");
        }
        return writing - releasing;
    }
}
