/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract on Debian's ZooKeeper 3.8 server in its own JVM: another server version than
 * Curator's embedded 3.9, spoken to over a real socket.
 */
class ZooKeeperDebianLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);

    private static ZooKeeperServer server;
    private static CuratorFramework observer;

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start();
        observer = ZooKeeperKitSupport.observer(server.connectString());
    }

    @AfterAll
    static void stopServer() {
        observer.close();
        server.close();
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return TestingServers.config(server.connectString(), SESSION_TIMEOUT);
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
        return ZooKeeperKitSupport.crashRecoveryBound(SESSION_TIMEOUT, watchdogLease);
    }
}
