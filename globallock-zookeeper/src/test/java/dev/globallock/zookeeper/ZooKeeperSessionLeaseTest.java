/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A ZooKeeper lock lives as long as its session: the watchdog lease follows the session timeout
 * the server granted, and a lease counts from the session's last confirmed request, which the
 * engine keeps recent while acquisitions wait.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperSessionLeaseTest {
    private static TestingServer server;

    private final List<GlobalLockManager> managers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = TestingServers.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(GlobalLockManager::close);
    }

    private GlobalLockManager manager(Map<String, Object> config) {
        GlobalLockManager manager = GlobalLockManager.builder()
                .config(config)
                .keyPrefix("session-lease-" + UUID.randomUUID() + "-")
                .build();
        managers.add(manager);
        return manager;
    }

    @Test
    void theDefaultSessionTimeoutIsTenSecondsAndTheWatchdogLeaseFollowsTheGrantedOne() {
        Map<String, Object> config =
                Map.of("engine", "zookeeper", "zookeeper", Map.of("connect-string", server.getConnectString()));
        GlobalLockManager locks = manager(config);
        assertThat(locks.capabilities().sessionTimeout()).hasValue(Duration.ofSeconds(10));
        GlobalLockManager shorter = manager(TestingServers.config(server.getConnectString()));
        assertThat(shorter.capabilities().sessionTimeout()).hasValue(TestingServers.SESSION_TIMEOUT);
    }

    @Test
    void aWaiterGrantedByAWatchEventAfterWaitingLongerThanTheSessionHoldsAFreshLease() throws Exception {
        Map<String, Object> config = TestingServers.config(server.getConnectString());
        String prefix = "long-wait-" + UUID.randomUUID() + "-";
        GlobalLockManager holder =
                GlobalLockManager.builder().config(config).keyPrefix(prefix).build();
        GlobalLockManager waiter =
                GlobalLockManager.builder().config(config).keyPrefix(prefix).build();
        managers.add(holder);
        managers.add(waiter);
        LockHandle held = holder.lock("queue");
        CompletableFuture<LockHandle> waiting =
                waiter.lockAsync("queue", LockOptions.builder().waitForever().build());
        // the waiter is next in line, so the holder's delete hands it the lock with no request of
        // its own; by then its own create is older than the whole session timeout
        Await.pause(
                TestingServers.SESSION_TIMEOUT.multipliedBy(2),
                "the waiter waits two session timeouts; only the engine's probes confirm its session");
        assertThat(waiting).isNotDone();
        held.release();
        LockHandle granted = waiting.get(20, TimeUnit.SECONDS);
        assertThat(granted.state()).as("just granted").isEqualTo(LockState.HELD);
        Await.holdsFor(
                TestingServers.SESSION_TIMEOUT.multipliedBy(2),
                granted::isLocked,
                () -> "the handle stays locked while the watchdog renews it (" + granted.state() + ")");
        granted.release();
    }
}
