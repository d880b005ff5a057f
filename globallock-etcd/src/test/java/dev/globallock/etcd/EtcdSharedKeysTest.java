/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The semaphore's and read-write lock's keys: their own directories, the kind and permits in the value. */
class EtcdSharedKeysTest extends EtcdServerPerClass {
    private GlobalLockManager manager() {
        GlobalLockManager manager = GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint()), "namespace", "/sk/")))
                .build();
        open.add(manager);
        return manager;
    }

    private List<String> keys() throws Exception {
        return admin
                .getKVClient()
                .get(EtcdKeys.bytes("/sk/"), GetOption.builder().isPrefix(true).build())
                .get()
                .getKvs()
                .stream()
                .map(EtcdSharedKeysTest::text)
                .sorted()
                .toList();
    }

    private static String text(KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        return key.substring(0, key.lastIndexOf('/') + 1) + "=" + kv.getValue().toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a lock, a semaphore and a read-write lock of one name are apart; each key says its kind")
    void familiesApart() throws Exception {
        GlobalLockManager manager = manager();
        try (LockHandle lock = manager.lock("x");
                LockHandle permit = manager.semaphore("x", 3).tryAcquire();
                LockHandle write = manager.readWriteLock("x").writeLock().tryLock()) {
            assertThat(lock.isLocked()).isTrue();
            assertThat(permit.isLocked())
                    .as("the lock does not block the semaphore")
                    .isTrue();
            assertThat(write.isLocked()).as("nor the read-write lock").isTrue();
            LockHandle read = manager().readWriteLock("x").readLock().tryLock();
            assertThat(read.isLocked()).as("no reader while written").isFalse();
            assertThat(keys()).containsExactly("/sk/x%rw/=w", "/sk/x%sem/=p3", "/sk/x/=");
            assertThat(permit.fencingToken()).isGreaterThan(lock.fencingToken());
        }
        assertThat(keys()).isEmpty();
    }
}
