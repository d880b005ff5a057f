/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.Await;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The session lease lives as long as the engine, not only while locks are held: the manager's
 * watchdog renews the leases of held locks when it ticks, so a session idle across its ticks used
 * to run out up to a TTL after its last renewal, and a lock taken on it just before that was freed
 * on the server under a holder that still believed it held it (another manager took it 1.1 s after
 * it was taken, in a scratch run with a 6 s lease).
 */
@DisplayName("etcd engine: an idle session lease is kept alive")
class EtcdIdleSessionTest extends EtcdServerPerClass {
    private static final String NAMESPACE = "/idle/";
    private static final Duration LEASE = Duration.ofSeconds(3);

    @Test
    @DisplayName("after one and a half leases with nothing held, the next lock is on the same, living lease")
    void idleSessionStaysAlive() throws Exception {
        GlobalLockManager manager = GlobalLockManager.builder()
                .engine(EtcdLockEngine.open(EtcdEngineConfig.builder()
                        .endpoints(etcd.endpoint())
                        .namespace(NAMESPACE)
                        .build()))
                .watchdogLease(LEASE)
                .build();
        open.add(manager::close);
        long session;
        try (LockHandle first = manager.lock("idle")) {
            session = leaseOf("idle");
        }

        Await.pause(LEASE.multipliedBy(3).dividedBy(2), "one and a half leases pass with nothing held");

        try (LockHandle second = manager.lock("idle")) {
            assertThat(leaseOf("idle")).as("the lease of the second lock").isEqualTo(session);
            long ttl = admin.getLeaseClient()
                    .timeToLive(session, LeaseOption.DEFAULT)
                    .get(10, TimeUnit.SECONDS)
                    .getTTL();
            assertThat(ttl).as("seconds the session lease has left").isGreaterThanOrEqualTo(1);
        }
    }

    private static long leaseOf(String name) throws Exception {
        List<KeyValue> keys = admin.getKVClient()
                .get(
                        EtcdKeys.lockPrefix(NAMESPACE, name),
                        GetOption.builder().isPrefix(true).build())
                .get(10, TimeUnit.SECONDS)
                .getKvs();
        assertThat(keys).as("the keys of lock '%s'", name).hasSize(1);
        return keys.get(0).getLease();
    }
}
