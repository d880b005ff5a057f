/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** What the nodes of one test did, shared by them (they run in one JVM): the overlap detectors. */
public final class Ledger {
    /** One run of the scheduled job. */
    public static final class Run {
        public final String node;
        public final long tick;
        public final long startNanos;
        public final long endNanos;
        /** How long after its place on the schedule the run started (wall clock, as the schedule). */
        public final long lateMillis;

        Run(String node, long tick, long startNanos, long endNanos, long lateMillis) {
            this.node = node;
            this.tick = tick;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
            this.lateMillis = lateMillis;
        }

        @Override
        public String toString() {
            return node + "@" + tick + "[" + TimeUnit.NANOSECONDS.toMillis(startNanos) % 100_000 + "ms, " + lateMillis
                    + "ms late]";
        }
    }

    private volatile boolean recording;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final List<Run> runs = new CopyOnWriteArrayList<>();

    private final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
    private final Map<String, Long> balances = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> tokens = new ConcurrentHashMap<>();

    /**
     * The job's work: a few milliseconds, recorded with the tick it was scheduled for and the wall
     * clock time that tick was due.
     */
    void tick(String node, long tick, long dueMillis) {
        if (!recording) {
            return;
        }
        long late = System.currentTimeMillis() - dueMillis;
        long start = System.nanoTime();
        if (running.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the job's work
        running.decrementAndGet();
        runs.add(new Run(node, tick, start, System.nanoTime(), late));
    }

    /** A read-modify-write that loses updates unless the account's lock keeps callers apart. */
    void transfer(String account, long amount, long fencingToken) {
        AtomicInteger here = inside.computeIfAbsent(account, a -> new AtomicInteger());
        if (here.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        tokens.computeIfAbsent(account, a -> new CopyOnWriteArrayList<>()).add(fencingToken);
        long balance = balances.getOrDefault(account, 0L);
        Thread.yield();
        balances.put(account, balance + amount);
        here.decrementAndGet();
    }

    public void record(boolean on) {
        recording = on;
    }

    public int running() {
        return running.get();
    }

    public int overlaps() {
        return overlaps.get();
    }

    public List<Run> runs() {
        return new ArrayList<>(runs);
    }

    public Map<String, Long> balances() {
        return Map.copyOf(balances);
    }

    public Map<String, List<Long>> tokens() {
        return Map.copyOf(tokens);
    }
}
