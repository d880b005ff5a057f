/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.EtcdServer;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * etcd keeps keys, revisions and leases across a restart. A holder keeps its lock (its renewals
 * resume), a queued waiter keeps its place (its watch is reopened and re-read), and the waiter is
 * handed the lock when the holder releases after the restart.
 */
@DisplayName("etcd engine: the server restarts")
class EtcdServerRestartTest {
    private EtcdServer etcd;
    private GlobalLockManager holder;
    private GlobalLockManager waiter;
    private Client admin;

    @BeforeEach
    void start() {
        etcd = EtcdServer.start();
        admin = Client.builder().endpoints(etcd.endpoint()).build();
        Map<String, Object> config = Map.of(
                "engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint()), "request-timeout", "3s"));
        holder = GlobalLockManager.builder()
                .config(config)
                .watchdogLease(Duration.ofSeconds(6))
                .build();
        waiter = GlobalLockManager.builder()
                .config(config)
                .watchdogLease(Duration.ofSeconds(6))
                .build();
    }

    @AfterEach
    void stop() {
        waiter.close();
        holder.close();
        admin.close();
        etcd.close();
    }

    /** Waits until the lock's directory holds {@code length} keys: the holder's and the queued waiters'. */
    private void awaitQueueLength(String name, int length) {
        Await.until(
                Duration.ofSeconds(10),
                () -> {
                    try {
                        return EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, name)
                                        .size()
                                == length;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "lock '" + name + "' to have " + length + " key(s)");
    }

    @Test
    @DisplayName("a held lock stays held, a queued waiter keeps its place and is granted after the restart")
    void restartKeepsHolderAndQueue() throws Exception {
        LockHandle held = holder.lock("restart");
        CompletableFuture<LockHandle> waiting =
                waiter.lockAsync("restart", LockOptions.builder().waitForever().build());
        awaitQueueLength("restart", 2);
        assertThat(waiting).isNotDone();

        etcd.process().restart();
        // a watchdog period (lease / 3 = 2 s) or two on the restarted server
        Await.holdsFor(
                Duration.ofSeconds(3),
                () -> held.isLocked() && !waiting.isDone(),
                () -> "the holder to keep the lock and the waiter to keep waiting");
        long releasedAt = System.nanoTime();
        held.release();
        LockHandle granted = waiting.get(10, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - releasedAt))
                .isLessThan(2_000);
        assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
        granted.release();
        try (LockHandle again = holder.tryLock("restart")) {
            assertThat(again.isLocked()).isTrue();
        }
    }
}
