/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The measurements every engine's benchmark runs, the same way for globallock, the peer library
 * and the raw floor, so the figures in one table are comparable: an uncontended lock+unlock loop,
 * contended threads on one key, and handoff latency (release to the waiter holding it). Results go
 * to stdout and to {@code target/bench/<engine>.md} as a markdown table.
 *
 * <p>Not a JMH harness: these are multi-process-style lock protocols measured against a real
 * server, where JMH's forks and blackholes add nothing; each figure is a plain wall-clock loop
 * after a warm-up, with percentiles from all recorded samples.
 */
public final class BenchHarness {
    private final String engine;
    private final List<String> rows = new ArrayList<>();

    public BenchHarness(String engine) {
        this.engine = engine;
        rows.add("| library | measurement | ops/s | p50 | p99 |");
        rows.add("|---|---|---:|---:|---:|");
    }

    /** A result: throughput and latency percentiles in microseconds. */
    public static final class Result {
        public final double opsPerSecond;
        public final double p50Micros;
        public final double p99Micros;
        public final int samples;

        Result(double opsPerSecond, long[] latenciesNanos, int samples) {
            this.opsPerSecond = opsPerSecond;
            long[] sorted = Arrays.copyOf(latenciesNanos, samples);
            Arrays.sort(sorted);
            this.p50Micros = samples == 0
                    ? Double.NaN
                    : sorted[(int) Math.min(samples - 1, Math.floor(samples * 0.50))] / 1000.0;
            this.p99Micros = samples == 0
                    ? Double.NaN
                    : sorted[(int) Math.min(samples - 1, Math.floor(samples * 0.99))] / 1000.0;
            this.samples = samples;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%.0f ops/s, p50 %.0f µs, p99 %.0f µs (%d samples)",
                    opsPerSecond,
                    p50Micros,
                    p99Micros,
                    samples);
        }
    }

    /** One thread: lock, unlock, as fast as it goes, for {@code measure} after {@code warmup}. */
    public Result uncontended(String library, BenchLock lock, Duration warmup, Duration measure) throws Exception {
        runFor(lock, warmup, null);
        long[] samples = new long[1 << 20];
        long start = System.nanoTime();
        int count = runFor(lock, measure, samples);
        double seconds = (System.nanoTime() - start) / 1e9;
        Result result = new Result(count / seconds, samples, Math.min(count, samples.length));
        record(library, "uncontended lock+unlock", result);
        return result;
    }

    private static int runFor(BenchLock lock, Duration duration, long[] samples) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        int count = 0;
        while (System.nanoTime() - end < 0) {
            long t0 = System.nanoTime();
            try (AutoCloseable held = lock.lock()) {
                // nothing: the cycle itself is measured
            }
            if (samples != null && count < samples.length) {
                samples[count] = System.nanoTime() - t0;
            }
            count++;
        }
        return count;
    }

    /**
     * {@code locks.size()} threads, each with its own {@link BenchLock} (spread them over several
     * clients/managers), contend for one key for {@code measure}. Reports acquisitions per second
     * and the latency of each lock() call; also counts owner changes (an acquisition by a different
     * thread than the previous one), reported as a second row.
     */
    public Result contended(String library, List<BenchLock> locks, Duration warmup, Duration measure) throws Exception {
        int threads = locks.size();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            contendOnce(pool, locks, warmup, null, new AtomicLong(), new AtomicInteger(-1));
            long[][] perThread = new long[threads][1 << 16];
            AtomicLong ownerChanges = new AtomicLong();
            long start = System.nanoTime();
            int[] counts = contendOnce(pool, locks, measure, perThread, ownerChanges, new AtomicInteger(-1));
            double seconds = (System.nanoTime() - start) / 1e9;
            int total = Arrays.stream(counts).sum();
            long[] all = new long[total];
            int n = 0;
            for (int t = 0; t < threads; t++) {
                int c = Math.min(counts[t], perThread[t].length);
                System.arraycopy(perThread[t], 0, all, n, c);
                n += c;
            }
            Result result = new Result(total / seconds, all, n);
            record(library, threads + " threads contended, acquisitions", result);
            rows.add(String.format(
                    Locale.ROOT,
                    "| %s | %d threads contended, owner changes | %.0f | | |",
                    library,
                    threads,
                    ownerChanges.get() / seconds));
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] contendOnce(
            ExecutorService pool,
            List<BenchLock> locks,
            Duration duration,
            long[][] samples,
            AtomicLong ownerChanges,
            AtomicInteger lastOwner)
            throws Exception {
        int threads = locks.size();
        CyclicBarrier barrier = new CyclicBarrier(threads);
        long[] endHolder = new long[1];
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                barrier.await();
                synchronized (endHolder) {
                    if (endHolder[0] == 0) {
                        endHolder[0] = System.nanoTime() + duration.toNanos();
                    }
                }
                long end;
                synchronized (endHolder) {
                    end = endHolder[0];
                }
                int count = 0;
                while (System.nanoTime() - end < 0) {
                    long t0 = System.nanoTime();
                    try (AutoCloseable held = locks.get(id).lock()) {
                        if (lastOwner.getAndSet(id) != id) {
                            ownerChanges.incrementAndGet();
                        }
                    }
                    if (samples != null && count < samples[id].length) {
                        samples[id][count] = System.nanoTime() - t0;
                    }
                    count++;
                }
                return count;
            }));
        }
        int[] counts = new int[threads];
        for (int t = 0; t < threads; t++) {
            counts[t] = futures.get(t).get(duration.toMillis() + 120_000, TimeUnit.MILLISECONDS);
        }
        return counts;
    }

    /**
     * Handoff latency: a holder takes the lock, a waiter (another client) starts waiting, the holder
     * keeps it {@code waiterWaits} longer, then releases; the time from the start of the release
     * call to the waiter holding the lock is one sample. {@code rounds} samples after 3 warm-ups.
     */
    public Result handoff(String library, BenchLock holder, BenchLock waiter, Duration waiterWaits, int rounds)
            throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            long[] samples = new long[rounds];
            for (int i = -3; i < rounds; i++) {
                AutoCloseable held = holder.lock();
                CountDownLatch waiting = new CountDownLatch(1);
                Future<Long> acquiredAt = pool.submit(() -> {
                    waiting.countDown();
                    try (AutoCloseable got = waiter.lock()) {
                        return System.nanoTime();
                    }
                });
                waiting.await();
                TimeUnit.NANOSECONDS.sleep(waiterWaits.toNanos());
                long releasedAt = System.nanoTime();
                held.close();
                long latency = acquiredAt.get(60, TimeUnit.SECONDS) - releasedAt;
                if (latency < 0) {
                    // the waiter held the lock before the holder let go of it: not a lock
                    throw new IllegalStateException(library + ": the waiter held the lock "
                            + TimeUnit.NANOSECONDS.toMicros(-latency) + " µs before the holder released it (handoff "
                            + i + ", waiter waited " + waiterWaits.toMillis() + " ms)");
                }
                if (i >= 0) {
                    samples[i] = latency;
                }
            }
            double meanSeconds = Arrays.stream(samples).average().orElse(0) / 1e9;
            Result result = new Result(meanSeconds == 0 ? 0 : 1 / meanSeconds, samples, rounds);
            record(library, "handoff, waiter waited " + waiterWaits.toMillis() + " ms", result);
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Adds a free-form row (for figures such as round trips per renewal period). */
    public void note(String library, String measurement, String value) {
        rows.add("| " + library + " | " + measurement + " | " + value + " | | |");
    }

    private void record(String library, String measurement, Result result) {
        String row = String.format(
                Locale.ROOT,
                "| %s | %s | %.0f | %s | %s |",
                library,
                measurement,
                result.opsPerSecond,
                micros(result.p50Micros),
                micros(result.p99Micros));
        rows.add(row);
        System.out.println(row);
        System.out.flush();
    }

    private static String micros(double value) {
        if (Double.isNaN(value)) {
            return "";
        }
        return value >= 1000
                ? String.format(Locale.ROOT, "%.2f ms", value / 1000)
                : String.format(Locale.ROOT, "%.0f µs", value);
    }

    /** Prints the table and writes it to {@code target/bench/<engine>.md}. */
    public Path finish(Supplier<String> header) throws IOException {
        String table = header.get() + "\n\n" + String.join("\n", rows) + "\n";
        System.out.println();
        System.out.println(table);
        Path out = Path.of("target", "bench", engine + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table, StandardCharsets.UTF_8);
        return out;
    }

    /** The median ops/s of a library's rounds. */
    static double medianOps(List<Result> results) {
        double[] values = results.stream()
                .mapToDouble(result -> result.opsPerSecond)
                .sorted()
                .toArray();
        return values[values.length / 2];
    }

    /** The median of the per-round ratios of two libraries' ops/s (round i against round i). */
    static double medianRatio(List<Result> mine, List<Result> other) {
        double[] ratios = new double[mine.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = mine.get(i).opsPerSecond / other.get(i).opsPerSecond;
        }
        java.util.Arrays.sort(ratios);
        return ratios[ratios.length / 2];
    }
}
