/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The whole contract on a 3-server {@code TestingCluster}; part way through the run the leader is
 * killed, so the later tests run on the two survivors under a newly elected leader (with clients
 * that were connected to the dead member moving over). {@link ZooKeeperLeaderFailoverTest} kills the
 * leader while locks are held and waited on.
 */
class ZooKeeperClusterLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    /** Long enough to ride out an election without Curator declaring the session lost. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

    private static final int KILL_LEADER_BEFORE_TEST = 12;
    private static final AtomicInteger TESTS = new AtomicInteger();

    private static TestingCluster cluster;
    private static CuratorFramework observer;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestingServers.cluster();
        observer = ZooKeeperKitSupport.observer(cluster.getConnectString());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        observer.close();
        cluster.close();
    }

    @BeforeEach
    void killLeaderPartWayThrough() throws Exception {
        if (TESTS.incrementAndGet() == KILL_LEADER_BEFORE_TEST) {
            InstanceSpec leader = TestingServers.leader(cluster);
            cluster.killServer(leader);
            // the test opens new managers, which must not race the election (their connection
            // timeout is 3 s); clients connected to the dead member still have to move over
            Await.until(
                    Duration.ofSeconds(30),
                    () -> cluster.getInstances().stream()
                            .filter(instance -> !instance.equals(leader))
                            .allMatch(TestingServers::isServing),
                    () -> "the two survivors of " + cluster.getConnectString() + " elected a leader");
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return TestingServers.config(cluster.getConnectString(), SESSION_TIMEOUT);
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
