/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import dev.globallock.GlobalLockManager;
import dev.globallock.micrometer.GlobalLockMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** docs/operations.md: the meters on a manager built by hand. */
public final class MetricsWithoutSpring {
    private MetricsWithoutSpring() {}

    static GlobalLockManager withMeters(MeterRegistry registry) {
        // tag::metrics[]
        GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("redis").build();
        GlobalLockManager locks = GlobalLockManager.builder()
                .yaml(Path.of("globallock.yaml"))
                .eventListener(metrics)
                .build();
        metrics.bindTo(registry); // globallock.acquire, .hold, .waiting, .held, .lost, .renewals
        // end::metrics[]
        return locks;
    }
}
