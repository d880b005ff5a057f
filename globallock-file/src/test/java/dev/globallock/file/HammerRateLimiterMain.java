/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.GlobalLockManager;
import dev.globallock.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A process of {@link FileRateLimitsAcrossProcessesTest}: from the wall-clock instant given (epoch
 * nanoseconds) and for the milliseconds given, calls {@code tryAcquire()} on a file-engine rate
 * limiter as fast as it goes, and prints {@code GRANT <sent> <received>} (epoch nanoseconds, the
 * limiter's own clock) for each permit it got, then {@code DONE}.
 */
public final class HammerRateLimiterMain {
    private HammerRateLimiterMain() {}

    public static void main(String[] args) {
        StringBuilder out = new StringBuilder();
        for (long[] grant : hammer(
                args[0],
                args[1],
                Integer.parseInt(args[2]),
                Duration.ofMillis(Long.parseLong(args[3])),
                Long.parseLong(args[4]),
                Duration.ofMillis(Long.parseLong(args[5])))) {
            out.append("GRANT ").append(grant[0]).append(' ').append(grant[1]).append('\n');
        }
        System.out.print(out);
        System.out.println("DONE");
        System.out.flush();
    }

    /** The grants ({sent, received} in epoch nanoseconds) of one process's run. */
    static List<long[]> hammer(
            String directory, String name, int permits, Duration window, long startAt, Duration runFor) {
        List<long[]> grants = new ArrayList<>();
        try (GlobalLockManager locks =
                GlobalLockManager.create(Map.of("engine", "file", "file", Map.of("directory", directory)))) {
            RateLimiter limiter = locks.rateLimiter(name, permits, window);
            limiter.availablePermits(); // warm up the path before the start
            for (long wait = startAt - epochNanos(); wait > 0; wait = startAt - epochNanos()) {
                LockSupport.parkNanos(wait);
            }
            while (epochNanos() - startAt < runFor.toNanos()) {
                long sent = epochNanos();
                if (limiter.tryAcquire()) {
                    grants.add(new long[] {sent, epochNanos()});
                }
            }
        }
        return grants;
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
