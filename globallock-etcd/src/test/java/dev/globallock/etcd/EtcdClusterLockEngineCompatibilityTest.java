/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.EtcdCluster;
import dev.globallock.tck.fixture.FreePorts;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/**
 * The contract kit against a real 3-member etcd cluster on loopback. Halfway through the run the
 * leader is killed (SIGKILL, not restarted): the second half runs on the two survivors, with every
 * manager still configured with all three endpoints.
 */
@DisplayName("etcd engine, 3-member cluster, leader killed halfway: the lock contract")
class EtcdClusterLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static final int KILL_BEFORE_TEST = 15;
    private static final AtomicInteger started = new AtomicInteger();
    private static EtcdCluster cluster;
    private static Client admin;
    private static volatile EtcdCluster.Member killed;

    @BeforeAll
    static void startCluster() {
        cluster = EtcdCluster.start(3);
        admin = Client.builder()
                .endpoints(cluster.endpoints().toArray(new String[0]))
                .build();
    }

    @AfterAll
    static void stopCluster() {
        if (started.get() >= KILL_BEFORE_TEST
                && (killed == null || killed.process().isAlive())) {
            throw new AssertionError("the leader was not killed halfway through the run");
        }
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void killTheLeaderHalfway() {
        if (started.incrementAndGet() == KILL_BEFORE_TEST) {
            EtcdCluster.Member leader = cluster.leader();
            leader.process().kill();
            killed = leader;
            cluster.awaitLeaderOtherThan(leader, Duration.ofSeconds(20));
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of(
                "engine",
                "etcd",
                "etcd",
                Map.of(
                        "endpoints", cluster.endpoints(),
                        "connect-timeout", "1s",
                        "request-timeout", "2s",
                        "keepalive-time", "5s",
                        "keepalive-timeout", "2s"));
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
