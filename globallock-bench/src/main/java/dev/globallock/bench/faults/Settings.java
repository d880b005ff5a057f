/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How a fault run is set up.
 *
 * @param duration how long each form runs (faults are spread over it; a fault still in progress at
 *     its end finishes first)
 * @param workers worker JVMs contending at once (a killed one is replaced)
 * @param lease the engines' lease: {@code watchdog.lease}, and ZooKeeper's session timeout
 * @param waitTime each acquisition's wait time
 * @param holdMin shortest hold
 * @param holdMax longest hold
 * @param freeze how long a frozen holder (or frozen server) stays stopped; longer than the lease
 * @param out where the markdown tables and worker logs go
 * @param overrides extra configuration, dotted key to YAML value ({@code redis.wait-for-replicas=1})
 * @param seed the random seed of the run (hold times)
 * @param fenced whether the store rejects stale tokens; false only to show that the checker catches
 *     what fencing would have prevented
 */
record Settings(
        Duration duration,
        int workers,
        Duration lease,
        Duration waitTime,
        Duration holdMin,
        Duration holdMax,
        Duration freeze,
        Path out,
        Map<String, String> overrides,
        long seed,
        boolean fenced) {

    Settings {
        overrides = Map.copyOf(overrides);
        if (workers < 2) {
            throw new IllegalArgumentException("--workers was '" + workers + "' but it must be at least 2");
        }
        if (freeze.compareTo(lease) <= 0) {
            throw new IllegalArgumentException(
                    "--freeze was '" + freeze + "' but it must be longer than the lease (" + lease + ")");
        }
        if (holdMax.compareTo(holdMin) < 0) {
            throw new IllegalArgumentException(
                    "--hold was '" + holdMin + ".." + holdMax + "' but its end is before its start");
        }
    }
}
