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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Counts the gRPC calls behind each operation: the round trips DESIGN.md promises. */
@DisplayName("etcd engine: round trips per operation")
class EtcdRoundTripsTest {
    private static EtcdServer etcd;
    private CountingCalls calls;
    private Client client;
    private GlobalLockManager locks;

    @BeforeAll
    static void startServer() {
        etcd = EtcdServer.start();
    }

    @AfterAll
    static void stopServer() {
        etcd.close();
    }

    @BeforeEach
    void openManager() {
        calls = new CountingCalls();
        client = Client.builder().endpoints(etcd.endpoint()).interceptor(calls).build();
        EtcdLockEngine engine = EtcdLockEngine.open(
                EtcdEngineConfig.builder().client(client).namespace("/rt/").build());
        locks = GlobalLockManager.builder()
                .engine(engine)
                .watchdogLease(Duration.ofSeconds(30))
                .build();
    }

    @AfterEach
    void closeManager() {
        locks.close();
        client.close();
    }

    @Test
    @DisplayName("the session lease is granted once; then an uncontended acquire is one Txn and a release one delete")
    void uncontendedCycle() {
        locks.lock("warm-up").release();
        assertThat(calls.count("LeaseGrant")).isEqualTo(1);
        calls.reset();

        LockHandle handle = locks.lock("cycle");
        assertThat(calls.snapshot()).isEqualTo(Map.of("Txn", 1));
        handle.release();
        assertThat(calls.snapshot()).isEqualTo(Map.of("Txn", 1, "DeleteRange", 1));
    }

    @Test
    @DisplayName("an uncontended permit, read or write is one Txn, and its release one delete")
    void uncontendedSharedCycles() {
        locks.lock("warm-up").release();
        calls.reset();
        LockHandle permit = locks.semaphore("permits", 3).tryAcquire();
        assertThat(permit.isLocked()).isTrue();
        assertThat(calls.snapshot()).as("permit").isEqualTo(Map.of("Txn", 1));
        permit.release();
        assertThat(calls.snapshot()).as("permit released").isEqualTo(Map.of("Txn", 1, "DeleteRange", 1));
        calls.reset();
        LockHandle read = locks.readWriteLock("shared").readLock().tryLock();
        assertThat(read.isLocked()).isTrue();
        assertThat(calls.snapshot()).as("read").isEqualTo(Map.of("Txn", 1));
        read.release();
        assertThat(calls.snapshot()).as("read released").isEqualTo(Map.of("Txn", 1, "DeleteRange", 1));
        calls.reset();
        LockHandle write = locks.readWriteLock("shared").writeLock().tryLock();
        assertThat(write.isLocked()).isTrue();
        assertThat(calls.snapshot()).as("write").isEqualTo(Map.of("Txn", 1));
        write.release();
        assertThat(calls.snapshot()).as("write released").isEqualTo(Map.of("Txn", 1, "DeleteRange", 1));
    }

    @Test
    @DisplayName("a lock with its own lease time costs one lease grant more, and its release is one revoke")
    void ownLeaseCycle() {
        LockHandle handle = locks.lock(
                "own", LockOptions.builder().leaseTime(Duration.ofSeconds(5)).build());
        assertThat(calls.snapshot()).isEqualTo(Map.of("LeaseGrant", 1, "Txn", 1));
        handle.release();
        assertThat(calls.snapshot()).isEqualTo(Map.of("LeaseGrant", 1, "Txn", 1, "LeaseRevoke", 1));
    }

    @Test
    @DisplayName("a failed single attempt removes its queued key again: one Txn and one delete")
    void failedTryLock() {
        try (GlobalLockManager other = GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint()), "namespace", "/rt/")))
                .build()) {
            LockHandle held = other.lock("busy");
            locks.lock("warm-up").release();
            calls.reset();
            assertThat(locks.tryLock("busy").isLocked()).isFalse();
            assertThat(calls.snapshot()).isEqualTo(Map.of("Txn", 1, "DeleteRange", 1));
            held.release();
        }
    }

    @Test
    @DisplayName("one watchdog renewal of many locks is one keep-alive and one read, however many locks are held")
    void batchedRenewal() throws Exception {
        EtcdLockEngine engine = EtcdLockEngine.open(
                EtcdEngineConfig.builder().client(client).namespace("/rt/").build());
        try (GlobalLockManager fast = GlobalLockManager.builder()
                .engine(engine)
                .watchdogLease(Duration.ofSeconds(3))
                .build()) {
            List<LockHandle> held = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                held.add(fast.lock("many-" + i));
            }
            calls.reset();
            // what one watchdog period (lease / 3 = 1 s) costs: count the calls over a little more
            Await.pause(Duration.ofMillis(1_200), "about one watchdog period passes");
            // a renewal that started just now has sent its keep-alive: let its read go out too
            Await.until(
                    Duration.ofSeconds(5),
                    () -> calls.count("Txn") >= calls.count("LeaseKeepAlive"),
                    () -> "the renewals' reads to follow their keep-alives: " + calls.snapshot());
            Map<String, Integer> perPeriod = calls.snapshot();
            assertThat(perPeriod.getOrDefault("LeaseKeepAlive", 0)).isBetween(1, 2);
            assertThat(perPeriod.getOrDefault("Txn", 0)).isEqualTo(perPeriod.get("LeaseKeepAlive"));
            assertThat(perPeriod.keySet()).containsOnly("LeaseKeepAlive", "Txn");
            assertThat(held).allMatch(LockHandle::isLocked);
            held.forEach(LockHandle::release);
        }
    }

    @Test
    @DisplayName("key names are reused: a busy lock's directory does not fill with deleted keys")
    void keyNamesReused() throws Exception {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            try (LockHandle held = locks.lock("reused")) {
                names.add(client.getKVClient()
                        .get(
                                EtcdKeys.lockPrefix("/rt/", "reused"),
                                io.etcd.jetcd.options.GetOption.builder()
                                        .isPrefix(true)
                                        .build())
                        .get()
                        .getKvs()
                        .get(0)
                        .getKey()
                        .toString(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        assertThat(names).hasSize(1);
    }
}
