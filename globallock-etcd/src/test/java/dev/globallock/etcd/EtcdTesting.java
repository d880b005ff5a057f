/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the etcd tests: direct access to the server behind the engine's back. */
final class EtcdTesting {
    private EtcdTesting() {}

    /** An engine section pointing at a closed loopback port, with short timeouts. */
    static Map<String, Object> unreachableConfig(int closedPort) {
        return Map.of(
                "engine",
                "etcd",
                "operation-timeout",
                "2s",
                "etcd",
                Map.of(
                        "endpoints",
                        List.of("http://127.0.0.1:" + closedPort),
                        "connect-timeout",
                        "500ms",
                        "request-timeout",
                        "1s"));
    }

    /** Starts a wait with no time limit. */
    static CompletableFuture<LockHandle> waitFor(GlobalLockManager manager, String name) {
        return manager.lockAsync(name, LockOptions.builder().waitForever().build());
    }

    /** Queued: its Txn, then its watch, then the read once the server confirmed the watch. */
    static void awaitSettled(CountingCalls calls, String who, Duration bound) {
        Await.until(
                bound,
                () -> calls.count("Txn") >= 2 && calls.count("Watch") >= 1,
                () -> who + " queued, watched and read its place: " + calls.snapshot());
    }

    /** The keys under a lock's directory, oldest first. */
    static List<KeyValue> keysUnder(Client admin, String namespace, String key) throws Exception {
        return admin.getKVClient()
                .get(
                        EtcdKeys.lockPrefix(namespace, key),
                        GetOption.builder()
                                .isPrefix(true)
                                .withSortField(GetOption.SortTarget.CREATE)
                                .withSortOrder(GetOption.SortOrder.ASCEND)
                                .build())
                .get(10, TimeUnit.SECONDS)
                .getKvs();
    }

    /** Revokes the lease of every key of the lock, as if the leases had expired. */
    static void revokeLeasesUnder(Client admin, String namespace, String key) throws Exception {
        for (KeyValue kv : keysUnder(admin, namespace, key)) {
            if (kv.getLease() != 0) {
                admin.getLeaseClient().revoke(kv.getLease()).get(10, TimeUnit.SECONDS);
            } else {
                admin.getKVClient().delete(kv.getKey()).get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Deletes every key of the lock, leaving the leases alone. */
    static void deleteKeysUnder(Client admin, String namespace, String key) throws Exception {
        for (KeyValue kv : keysUnder(admin, namespace, key)) {
            admin.getKVClient().delete(kv.getKey()).get(10, TimeUnit.SECONDS);
        }
    }
}
