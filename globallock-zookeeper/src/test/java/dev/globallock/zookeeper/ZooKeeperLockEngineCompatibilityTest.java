/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.tck.LockEngineCompatibilityKit;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole contract on Curator's in-process {@code TestingServer} (ZooKeeper 3.9). */
class ZooKeeperLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static TestingServer server;
    private static CuratorFramework observer;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestingServers.start();
        observer = ZooKeeperKitSupport.observer(server.getConnectString());
    }

    @AfterAll
    static void stopServer() throws Exception {
        observer.close();
        server.close();
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return TestingServers.config(server.getConnectString());
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
        return ZooKeeperKitSupport.crashRecoveryBound(TestingServers.SESSION_TIMEOUT, watchdogLease);
    }
}
