/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static dev.globallock.etcd.EtcdTesting.awaitSettled;
import static dev.globallock.etcd.EtcdTesting.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.Await;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A waiter near the head of the queue watches its lock's whole directory and follows the deletions
 * of the keys ahead of it: a handoff needs no read, a key ahead that goes away early frees nobody
 * else, and a waiter whose own key went is never granted.
 */
@DisplayName("etcd engine: waiting on the directory watch")
class EtcdDirectoryWatchTest extends EtcdServerPerClass {
    private static final String NAMESPACE = "/dw/";
    private static final Duration BOUND = Duration.ofSeconds(20);

    private GlobalLockManager manager(CountingCalls calls) {
        Client client =
                Client.builder().endpoints(etcd.endpoint()).interceptor(calls).build();
        open.add(client::close);
        GlobalLockManager manager = GlobalLockManager.builder()
                .engine(EtcdLockEngine.open(EtcdEngineConfig.builder()
                        .client(client)
                        .namespace(NAMESPACE)
                        .build()))
                .build();
        open.add(manager::close);
        return manager;
    }

    @Test
    @DisplayName("a handoff costs the waiter no request: the watch event of the release grants it")
    void handoffWithoutRead() throws Exception {
        GlobalLockManager holder = manager(new CountingCalls());
        CountingCalls waiterCalls = new CountingCalls();
        GlobalLockManager waiter = manager(waiterCalls);
        LockHandle held = holder.lock("handoff");
        CompletableFuture<LockHandle> waiting = waitFor(waiter, "handoff");
        awaitSettled(waiterCalls, "the waiter", BOUND);
        waiterCalls.reset();

        held.close();
        LockHandle handed = waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS);

        assertThat(handed.isLocked()).isTrue();
        assertThat(waiterCalls.count("Txn")).isZero();
        assertThat(waiterCalls.count("Range")).isZero();
        handed.close();
    }

    @Test
    @DisplayName("a key ahead that goes away while the holder holds frees nobody; the releases then go in order")
    void earlyLeaverFreesNobody() throws Exception {
        GlobalLockManager holder = manager(new CountingCalls());
        CountingCalls leaverCalls = new CountingCalls();
        GlobalLockManager leaver = manager(leaverCalls);
        CountingCalls secondCalls = new CountingCalls();
        GlobalLockManager second = manager(secondCalls);
        CountingCalls thirdCalls = new CountingCalls();
        GlobalLockManager third = manager(thirdCalls);

        LockHandle held = holder.lock("queue");
        CompletableFuture<LockHandle> leaving = waitFor(leaver, "queue");
        awaitSettled(leaverCalls, "the leaver", BOUND);
        CompletableFuture<LockHandle> waiting = waitFor(second, "queue");
        awaitSettled(secondCalls, "the second waiter", BOUND);

        leaving.cancel(false);
        Await.until(BOUND, () -> keys("queue").size() == 2, () -> "the leaver's key is gone: " + keysOrError("queue"));
        CompletableFuture<LockHandle> last = waitFor(third, "queue");
        awaitSettled(thirdCalls, "the third waiter", BOUND);
        Await.holdsFor(
                Duration.ofMillis(300),
                () -> !waiting.isDone() && held.isLocked(),
                () -> "the second waiter keeps waiting while the holder holds");

        held.close();
        LockHandle secondHolds = waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(secondHolds.isLocked()).isTrue();
        Await.holdsFor(
                Duration.ofMillis(300),
                () -> !last.isDone(),
                () -> "the third waiter keeps waiting while the second holds");
        secondHolds.close();
        LockHandle thirdHolds = last.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(thirdHolds.isLocked()).isTrue();
        thirdHolds.close();
    }

    @Test
    @DisplayName("a long queue (more waiters than watch the whole directory) is served in order")
    void longQueueInOrder() throws Exception {
        GlobalLockManager holder = manager(new CountingCalls());
        List<GlobalLockManager> waiters = List.of(manager(new CountingCalls()), manager(new CountingCalls()));
        int queued = EtcdQueueWait.WATCH_WHOLE_QUEUE_UP_TO + 4;
        LockHandle held = holder.lock("long");
        List<CompletableFuture<LockHandle>> queue = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            queue.add(waitFor(waiters.get(i % 2), "long"));
            int expected = i + 2;
            Await.until(
                    BOUND,
                    () -> keys("long").size() == expected,
                    () -> "waiter " + expected + " queued: " + keysOrError("long"));
        }
        held.close();
        long lastToken = 0;
        for (int i = 0; i < queued; i++) {
            LockHandle handle = queue.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
            for (int later = i + 1; later < queued; later++) {
                assertThat(queue.get(later))
                        .as("waiter %d while %d holds", later, i)
                        .isNotDone();
            }
            assertThat(handle.fencingToken()).isGreaterThan(lastToken);
            lastToken = handle.fencingToken();
            handle.close();
        }
    }

    @Test
    @DisplayName("a waiter whose own key is deleted while it queues fails at once and is never granted")
    void ownKeyDeletedFails() throws Exception {
        GlobalLockManager holder = manager(new CountingCalls());
        CountingCalls waiterCalls = new CountingCalls();
        GlobalLockManager waiter = manager(waiterCalls);
        LockHandle held = holder.lock("vanish");
        CompletableFuture<LockHandle> waiting = waitFor(waiter, "vanish");
        awaitSettled(waiterCalls, "the waiter", BOUND);

        List<KeyValue> keys = keys("vanish");
        assertThat(keys).hasSize(2);
        admin.getKVClient().delete(keys.get(1).getKey()).get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("disappeared while it waited");
        held.close();
        assertThat(keys("vanish")).isEmpty();
    }

    private static List<KeyValue> keys(String name) {
        try {
            return EtcdTesting.keysUnder(admin, NAMESPACE, name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keysOrError(String name) {
        try {
            return keys(name).toString();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
