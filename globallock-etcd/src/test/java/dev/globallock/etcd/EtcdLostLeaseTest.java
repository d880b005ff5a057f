/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockState;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the watchdog's renewal finds out: a revoked session lease, a key deleted behind the holder's back. */
@DisplayName("etcd engine: lost leases and keys")
class EtcdLostLeaseTest extends EtcdServerPerClass {
    private GlobalLockManager locks;

    @BeforeEach
    void openManager() {
        locks = GlobalLockManager.builder()
                .config(Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint()))))
                .watchdogLease(Duration.ofSeconds(3))
                .build();
    }

    @AfterEach
    void closeManager() {
        locks.close();
    }

    @Test
    @DisplayName("a key deleted behind the holder's back is reported lost; the other locks on the lease stay held")
    void deletedKeyIsLost() throws Exception {
        LockHandle gone = locks.lock("deleted");
        LockHandle kept = locks.lock("kept");
        EtcdTesting.deleteKeysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, "deleted");

        Await.until(Duration.ofSeconds(10), () -> gone.state() == LockState.LOST, () -> "the loss to be noticed");
        assertThat(kept.isLocked()).isTrue();
        assertThat(EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, "kept"))
                .hasSize(1);
        gone.close();
        kept.release();
    }

    @Test
    @DisplayName("a revoked session lease loses every lock on it, and the next acquisition gets a new lease")
    void revokedSessionLeaseLosesAllAndIsReplaced() throws Exception {
        LockHandle first = locks.lock("first");
        LockHandle second = locks.lock("second");
        long lease = EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, "first")
                .get(0)
                .getLease();
        admin.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);

        Await.until(
                Duration.ofSeconds(10),
                () -> first.state() == LockState.LOST && second.state() == LockState.LOST,
                () -> "both locks on the revoked lease to be reported lost");

        try (LockHandle again = locks.lock("first")) {
            long newLease = EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, "first")
                    .get(0)
                    .getLease();
            assertThat(newLease).isNotEqualTo(lease);
            assertThat(again.fencingToken()).isGreaterThan(first.fencingToken());
        }
        first.close();
        second.close();
    }

    @Test
    @DisplayName("an acquisition just after the session lease vanished, before renewal noticed, gets a fresh lease")
    void acquireRightAfterRevokeGetsFreshLease() throws Exception {
        LockHandle before = locks.lock("before");
        long lease = EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, "before")
                .get(0)
                .getLease();
        admin.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);

        try (LockHandle after = locks.lock("after")) {
            assertThat(after.isLocked()).isTrue();
            assertThat(EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, "after")
                            .get(0)
                            .getLease())
                    .isNotEqualTo(lease);
        }
        before.close();
    }
}
