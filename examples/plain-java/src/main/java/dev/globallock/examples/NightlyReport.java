/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A job that must run on one machine at a time, on whichever engine its configuration names: run it
 * with {@code config/memory.yaml}, {@code config/file.yaml}, {@code config/redis.yaml},
 * {@code config/etcd.yaml} or {@code config/zookeeper.yaml}. The code names no engine.
 */
public final class NightlyReport {
    private NightlyReport() {}

    // tag::quick-start[]
    public static void main(String[] args) {
        Path config = Path.of(args.length > 0 ? args[0] : "globallock.yaml");
        LockOptions fiveSeconds =
                LockOptions.builder().waitTime(Duration.ofSeconds(5)).build();
        try (GlobalLockManager locks = GlobalLockManager.fromYaml(config);
                LockHandle lock = locks.lock("nightly-report", fiveSeconds)) {
            // Only one process gets here at a time. Pass the token to what you write:
            // a resource that remembers the highest token refuses a late, stale holder.
            System.out.printf("%s: %s held, fencing token %d%n", locks.engineName(), lock.name(), lock.fencingToken());
        }
    }
    // end::quick-start[]
}
