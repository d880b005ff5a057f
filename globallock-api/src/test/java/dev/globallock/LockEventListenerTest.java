/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class LockEventListenerTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    private GlobalLockManager manager() {
        return GlobalLockManager.builder()
                .config(Map.of("engine", "memory", "memory", Map.of("namespace", "events-" + UUID.randomUUID())))
                .eventListener(new LockEventListener() {
                    @Override
                    public void acquired(String name, Duration waited, boolean reentrant) {
                        events.add("acquired " + name + (reentrant ? " reentrant" : ""));
                    }

                    @Override
                    public void notAcquired(String name, Duration waited) {
                        events.add("not acquired " + name);
                    }

                    @Override
                    public void released(String name, Duration held) {
                        events.add("released " + name);
                    }

                    @Override
                    public void lost(String name, LockState state) {
                        events.add("lost " + name + " " + state);
                    }
                })
                .build();
    }

    @Test
    void reportsAcquireReentryRefusalAndRelease() throws Exception {
        try (GlobalLockManager locks = manager()) {
            try (LockHandle outer = locks.lock("a");
                    LockHandle inner = locks.lock("a")) {
                Thread other = new Thread(() -> locks.tryLock("a").close());
                other.start();
                other.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        assertThat(events).containsExactly("acquired a", "acquired a reentrant", "not acquired a", "released a");
    }

    @Test
    void reportsAnExpiredLeaseAndSurvivesAThrowingListener() {
        try (GlobalLockManager locks = manager()) {
            LockHandle held = locks.lock(
                    "b", LockOptions.builder().leaseTime(Duration.ofMillis(100)).build());
            held.onLost(() -> {
                throw new IllegalStateException("a listener that throws");
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!events.contains("lost b EXPIRED") && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(events).contains("acquired b", "lost b EXPIRED");
            assertThat(held.state()).isEqualTo(LockState.EXPIRED);
        }
    }
}
