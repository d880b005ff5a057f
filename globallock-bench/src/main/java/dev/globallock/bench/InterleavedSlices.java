/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Uncontended lock+unlock in short interleaved slices, for A/B comparisons on a noisy machine: each
 * cycle runs every contender for one slice (the order rotating), and each contender's rate is
 * divided by the floor's rate of the same cycle, so load that comes and goes over seconds cancels
 * out of the ratios. Also reports the lock and the unlock latency separately. Not thread-safe: one
 * thread drives all contenders.
 */
final class InterleavedSlices {
    /** Samples kept per contender for the latency split. */
    private static final int SAMPLES = 1 << 20;

    private final Map<String, BenchLock> contenders;
    private final String floor;
    private final Map<String, long[][]> splits = new LinkedHashMap<>();
    private final Map<String, Integer> recorded = new LinkedHashMap<>();

    /** @param contenders the locks under test, by name; the first is the floor the others are divided by */
    InterleavedSlices(Map<String, BenchLock> contenders) {
        this.contenders = new LinkedHashMap<>(contenders);
        this.floor = contenders.keySet().iterator().next();
    }

    /**
     * Warms every contender up for {@code warmUpMillis}, then runs {@code cycles} cycles of one {@code
     * sliceMillis} slice per contender, and prints one line per contender: the median rate with its
     * quartiles, the median ratio to the floor's rate of the same cycle with its quartiles, and the
     * lock and unlock latencies.
     *
     * @return the median ratio to the floor, by contender
     */
    Map<String, Double> run(long warmUpMillis, int cycles, long sliceMillis) throws Exception {
        List<String> names = new ArrayList<>(contenders.keySet());
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (String name : names) {
            rates.put(name, new double[cycles]);
            slice(name, warmUpMillis);
        }
        splits.clear();
        recorded.clear();
        for (int c = 0; c < cycles; c++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + c) % names.size());
                rates.get(name)[c] = slice(name, sliceMillis);
            }
        }
        double[] floorRates = rates.get(floor);
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (String name : names) {
            double[] rate = rates.get(name);
            double[] ratio = new double[cycles];
            for (int c = 0; c < cycles; c++) {
                ratio[c] = rate[c] / floorRates[c];
            }
            ratios.put(name, quantile(ratio, 0.5));
            System.out.printf(
                    Locale.ROOT,
                    "%-30s ops/s median %.0f [q1 %.0f q3 %.0f]  ratio to %s: median %.3f [q1 %.3f q3 %.3f]%n",
                    name,
                    quantile(rate, 0.5),
                    quantile(rate, 0.25),
                    quantile(rate, 0.75),
                    floor,
                    quantile(ratio, 0.5),
                    quantile(ratio, 0.25),
                    quantile(ratio, 0.75));
            System.out.println("    " + latencies(name));
        }
        return ratios;
    }

    private double slice(String name, long millis) throws Exception {
        BenchLock lock = contenders.get(name);
        long[][] split = splits.computeIfAbsent(name, k -> new long[2][SAMPLES]);
        int n = recorded.getOrDefault(name, 0);
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
        int count = 0;
        long now;
        do {
            long t0 = System.nanoTime();
            AutoCloseable held = lock.lock();
            long t1 = System.nanoTime();
            held.close();
            now = System.nanoTime();
            if (n < SAMPLES) {
                split[0][n] = t1 - t0;
                split[1][n] = now - t1;
                n++;
            }
            count++;
        } while (now < end);
        recorded.put(name, n);
        return count / ((now - start) / 1e9);
    }

    private String latencies(String name) {
        int n = recorded.get(name);
        long[] lock = Arrays.copyOf(splits.get(name)[0], n);
        long[] unlock = Arrays.copyOf(splits.get(name)[1], n);
        Arrays.sort(lock);
        Arrays.sort(unlock);
        return String.format(
                Locale.ROOT,
                "lock p50 %d µs p25 %d, unlock p50 %d µs p25 %d",
                lock[n / 2] / 1000,
                lock[n / 4] / 1000,
                unlock[n / 2] / 1000,
                unlock[n / 4] / 1000);
    }

    private static double quantile(double[] values, double quantile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))];
    }
}
