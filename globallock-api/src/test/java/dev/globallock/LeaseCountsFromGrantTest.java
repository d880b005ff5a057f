/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** An explicit lease counts from the grant: a waiter that queued longer than its lease still gets all of it. */
class LeaseCountsFromGrantTest {
    @Test
    void aWaiterThatQueuedLongerThanItsLeaseIsGrantedAFullLease() throws Exception {
        Map<String, Object> config =
                Map.of("engine", "memory", "memory", Map.of("namespace", "grant-" + UUID.randomUUID()));
        try (GlobalLockManager holder = GlobalLockManager.create(config);
                GlobalLockManager waiter = GlobalLockManager.create(config)) {
            LockHandle held = holder.lock("queue");
            Duration lease = Duration.ofMillis(400);
            CompletableFuture<LockHandle> waiting = waiter.lockAsync(
                    "queue",
                    LockOptions.builder().waitForever().leaseTime(lease).build());
            LockSupport.parkNanos(lease.multipliedBy(2).toNanos()); // queue for longer than the lease
            held.release();
            LockHandle granted = waiting.get(10, TimeUnit.SECONDS);
            assertThat(granted.state()).as("just granted").isEqualTo(LockState.HELD);
            assertThat(waiter.inspect("queue").orElseThrow().isHeld()).isTrue();
            granted.close();
        }
    }
}
