/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;

/** The calls of docs/usage.md. */
public final class UsingTheApi {
    private UsingTheApi() {}

    static GlobalLockManager fromAMap() {
        // tag::create-from-map[]
        GlobalLockManager locks = GlobalLockManager.create(Map.of(
                "engine", "redis",
                "key-prefix", "billing:",
                "redis", Map.of("nodes", List.of("redis://127.0.0.1:6379"))));
        // end::create-from-map[]
        return locks;
    }

    static void calls(GlobalLockManager locks, Runnable settle) {
        // tag::calls[]
        try (LockHandle lock = locks.tryLock("invoice-42")) { // one attempt
            if (lock.isLocked()) {
                settle.run();
            }
        }
        locks.withLock("invoice-42", LockOptions.defaults(), settle); // wait, run, release
        LockOptions thirtySeconds =
                LockOptions.builder().waitTime(Duration.ofSeconds(30)).build();
        CompletableFuture<LockHandle> later = locks.lockAsync("invoice-42", thirtySeconds);
        later.thenAccept(LockHandle::close);
        Lock juc = locks.asLock("invoice-42"); // java.util.concurrent view, thread-owned
        juc.lock();
        juc.unlock();
        // end::calls[]
        later.join();
    }

    static void lostLeases(GlobalLockManager locks) {
        // tag::lost[]
        try (LockHandle lock = locks.lock("invoice-42")) {
            lock.onLost(() -> System.err.println("invoice-42: lease lost, stop writing"));
            while (lock.isLocked() && moreWork()) { // false at once when the lease is gone
                doSomeWork(lock.fencingToken());
            }
        }
        // end::lost[]
    }

    private static boolean moreWork() {
        return false;
    }

    private static void doSomeWork(long token) {}
}
