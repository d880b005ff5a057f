/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A waiter's place in the queue is its key, which lives as long as its lease. A waiter whose key
 * went away while it queued (lease expired, revoked, or the key deleted) is never granted the lock
 * on it: the fix for what Jepsen found in etcd 3.4.3's lock service. A waiter whose lease is fine
 * keeps its place however long it waits.
 */
@DisplayName("etcd engine: a queued waiter's lease")
class EtcdQueuedWaiterLeaseTest extends EtcdServerPerClass {
    private static final String NAMESPACE = EtcdEngineConfig.DEFAULT_NAMESPACE;
    private HookedClient hooked;
    private GlobalLockManager holder;
    private GlobalLockManager waiter;
    private GlobalLockManager third;

    @BeforeEach
    void openManagers() {
        Map<String, Object> config = Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint())));
        holder = GlobalLockManager.create(config);
        third = GlobalLockManager.create(config);
        hooked = new HookedClient(Client.builder().endpoints(etcd.endpoint()).build());
        waiter = GlobalLockManager.builder()
                .engine(EtcdLockEngine.open(
                        EtcdEngineConfig.builder().client(hooked).build()))
                .watchdogLease(Duration.ofSeconds(2))
                .build();
    }

    @AfterEach
    void closeManagers() {
        waiter.close();
        holder.close();
        third.close();
        hooked.close();
    }

    private static List<KeyValue> queue(String name) throws Exception {
        return EtcdTesting.keysUnder(admin, NAMESPACE, name);
    }

    private static void awaitQueueLength(String name, int length) {
        Await.until(
                Duration.ofSeconds(10),
                () -> {
                    try {
                        return queue(name).size() == length;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "lock '" + name + "' to have " + length + " key(s)");
    }

    private static void assertNeverGranted(CompletableFuture<LockHandle> waiting) {
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("etcd")
                .hasMessageContaining("was not granted");
    }

    @Test
    @DisplayName("a waiter cut off from etcd until its lease expired is not granted the lock when it frees")
    void expiredWhileQueued() throws Exception {
        String name = "expired-while-queued";
        LockHandle held = holder.lock(name);
        CompletableFuture<LockHandle> waiting =
                waiter.lockAsync(name, LockOptions.builder().waitForever().build());
        awaitQueueLength(name, 2);
        hooked.keepAlivesFail = true; // the waiter's keep-alives no longer reach etcd
        awaitQueueLength(name, 1); // etcd expired its lease and deleted its key
        // the waiter may have failed already: its directory watch saw its own key go

        held.release();

        assertNeverGranted(waiting);
        try (LockHandle free = third.tryLock(name)) {
            assertThat(free.isLocked())
                    .as("free: nobody was granted the lock on a dead lease")
                    .isTrue();
        }
    }

    @Test
    @DisplayName("a waiter whose key was deleted while it queued is not granted the lock")
    void keyDeletedWhileQueued() throws Exception {
        String name = "deleted-while-queued";
        LockHandle held = holder.lock(name);
        CompletableFuture<LockHandle> waiting =
                waiter.lockAsync(name, LockOptions.builder().waitForever().build());
        awaitQueueLength(name, 2);
        admin.getKVClient().delete(queue(name).get(1).getKey()).get(10, TimeUnit.SECONDS);

        held.release();

        assertNeverGranted(waiting);
        try (LockHandle free = third.tryLock(name)) {
            assertThat(free.isLocked()).isTrue();
        }
    }

    @Test
    @DisplayName("a waiter with its own lease learns at once that the lease was revoked, before any release")
    void ownLeaseRevokedWhileQueued() throws Exception {
        String name = "revoked-while-queued";
        LockHandle held = holder.lock(name);
        CompletableFuture<LockHandle> waiting = waiter.lockAsync(
                name,
                LockOptions.builder()
                        .waitForever()
                        .leaseTime(Duration.ofSeconds(2))
                        .build());
        awaitQueueLength(name, 2);
        admin.getLeaseClient().revoke(queue(name).get(1).getLease()).get(10, TimeUnit.SECONDS);

        assertNeverGranted(waiting);
        assertThat(held.isLocked()).isTrue();
        held.release();
    }

    @Test
    @DisplayName("a waiter keeps its place for longer than its lease: the engine keeps the lease alive while it queues")
    void longWaitKeepsItsPlace() throws Exception {
        String name = "long-wait";
        LockHandle held = holder.lock(name);
        CompletableFuture<LockHandle> waiting =
                waiter.lockAsync(name, LockOptions.builder().waitForever().build());
        awaitQueueLength(name, 2);
        long queuedRevision = queue(name).get(1).getCreateRevision();
        // 2.5 × the waiter's 2 s session lease, with no lock held on it: its key must stay all along
        Await.holdsFor(
                Duration.ofSeconds(5),
                () -> {
                    try {
                        List<KeyValue> keys = queue(name);
                        return keys.size() == 2 && keys.get(1).getCreateRevision() == queuedRevision;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                () -> "the waiter's key (created at revision " + queuedRevision + ") to stay second in the queue");
        assertThat(waiting).isNotDone();

        held.release();

        LockHandle granted = waiting.get(10, TimeUnit.SECONDS);
        assertThat(granted.isLocked()).isTrue();
        assertThat(granted.fencingToken()).isEqualTo(queuedRevision);
        granted.release();
    }
}
