/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract over mutual TLS (PEM client certificate, the test CA, host names verified) with
 * digest authentication and creator-only lock nodes, on Debian's ZooKeeper server process with a
 * secure client port that requires a client certificate and digest authentication.
 */
class ZooKeeperTlsLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static ZooKeeperServer server;
    private static CuratorFramework observer;

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start(ZooKeeperServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.REQUIRED))
                .requireAuthentication("digest")
                .build());
        observer = ZooKeeperTls.observer(server, ZooKeeperTls.USER, ZooKeeperTls.PASSWORD);
    }

    @AfterAll
    static void stopServer() {
        observer.close();
        server.close();
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return ZooKeeperTls.config(ZooKeeperTls.section(
                server,
                Map.of(
                        "tls",
                        ZooKeeperTls.pemTls(true),
                        "digest",
                        ZooKeeperTls.digest(ZooKeeperTls.USER, ZooKeeperTls.PASSWORD),
                        "acl",
                        "creator-only")));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return ZooKeeperKitSupport.unreachableConfig();
    }

    @Override
    protected void forgetOnBackend(String key) throws Exception {
        ZooKeeperKitSupport.forgetHolder(observer, key);
    }

    @Override
    protected Duration crashRecoveryBound(Duration watchdogLease) {
        return ZooKeeperKitSupport.crashRecoveryBound(ZooKeeperTls.SESSION_TIMEOUT, watchdogLease);
    }
}
