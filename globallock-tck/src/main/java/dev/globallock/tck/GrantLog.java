/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static org.assertj.core.api.Assertions.fail;

import dev.globallock.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The grants of a rate limiter as its clients saw them, each as the interval between sending the
 * request and receiving the answer: the backend granted it at some instant inside that interval,
 * by a clock that runs at the rate of this JVM's. Thread-safe to record into.
 *
 * <p>{@link #assertNeverMoreThan} is conservative: it reports a violation only when more than the
 * limit of grants certainly fell into one window (for some group, the last answer came less than a
 * window after the first request), so a slow or paused client never makes it fail wrongly, and an
 * over-admitting limiter (two windows' worth, a reset at a boundary) does.
 */
public final class GrantLog {
    /** One grant: when its request was sent and its answer received, in {@link System#nanoTime()}. */
    public static final class Grant {
        public final long sentNanos;
        public final long receivedNanos;

        Grant(long sentNanos, long receivedNanos) {
            this.sentNanos = sentNanos;
            this.receivedNanos = receivedNanos;
        }
    }

    private final List<Grant> grants = new ArrayList<>();
    private long refused;

    /** Records one grant of one permit. */
    public synchronized void granted(long sentNanos, long receivedNanos) {
        grants.add(new Grant(sentNanos, receivedNanos));
    }

    public synchronized void refused() {
        refused++;
    }

    public synchronized int grants() {
        return grants.size();
    }

    public synchronized long refusals() {
        return refused;
    }

    /** The receive times of the grants, in order. */
    public synchronized List<Long> receivedTimes() {
        return grants.stream().map(g -> g.receivedNanos).sorted().toList();
    }

    /**
     * Fails when more than {@code permits} grants certainly fell within one {@code window}: for the
     * grant whose request was sent first in a group, the group's answers all arrived less than a
     * window later. The window is taken 1% shorter, for a backend clock that NTP slews.
     */
    public synchronized void assertNeverMoreThan(int permits, Duration window) {
        List<Grant> bySent = new ArrayList<>(grants);
        bySent.sort(Comparator.comparingLong(g -> g.sentNanos));
        long windowNanos = window.toNanos() - window.toNanos() / 100;
        for (int i = 0; i < bySent.size(); i++) {
            long from = bySent.get(i).sentNanos;
            int inside = 0;
            for (int j = i; j < bySent.size() && bySent.get(j).sentNanos - from < windowNanos; j++) {
                if (bySent.get(j).receivedNanos - from < windowNanos) {
                    inside++;
                }
            }
            if (inside > permits) {
                fail(inside + " grants fell within one window of " + window + " (the limit is " + permits
                        + "): all were answered less than a window after request " + i + " of " + bySent.size()
                        + " was sent");
            }
        }
    }

    /**
     * Calls {@code tryAcquire()} as fast as it goes on each limiter (one thread per limiter; spread
     * them over several managers) for {@code duration}, recording every answer.
     */
    public static GrantLog hammer(List<RateLimiter> limiters, Duration duration) throws Exception {
        GrantLog log = new GrantLog();
        ExecutorService threads = Executors.newFixedThreadPool(limiters.size());
        try {
            long end = System.nanoTime() + duration.toNanos();
            List<Future<?>> running = new ArrayList<>();
            for (RateLimiter limiter : limiters) {
                running.add(threads.submit(() -> {
                    while (System.nanoTime() - end < 0) {
                        long sent = System.nanoTime();
                        if (limiter.tryAcquire()) {
                            log.granted(sent, System.nanoTime());
                        } else {
                            log.refused();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> thread : running) {
                thread.get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        return log;
    }
}
