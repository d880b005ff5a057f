/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.FreePorts;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/** The contract kit against one real etcd 3.4 server. */
@DisplayName("etcd engine, single server: the lock contract")
class EtcdLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static EtcdServer etcd;
    private static Client admin;

    @BeforeAll
    static void startServer() {
        etcd = EtcdServer.start();
        admin = Client.builder().endpoints(etcd.endpoint()).build();
    }

    @AfterAll
    static void stopServer() {
        if (admin != null) {
            admin.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint())));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return EtcdTesting.unreachableConfig(FreePorts.next());
    }

    @Override
    protected void forgetOnBackend(String key) throws Exception {
        EtcdTesting.revokeLeasesUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, key);
    }

    @Override
    protected Duration shortLease() {
        return EtcdLockEngine.MINIMUM_LEASE;
    }
}
