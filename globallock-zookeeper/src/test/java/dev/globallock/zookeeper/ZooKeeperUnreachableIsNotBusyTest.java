/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.MisbehavingPort;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where no ZooKeeper answers, the failure names the engine, the endpoint and the reason, within
 * the configured bound: opening fails within the connection timeout (closing the half-open client
 * does not add the ~2/3 session timeout it blocks for), and a bounded wait after the ensemble went
 * away ends as a backend failure, not as a busy lock.
 */
@DisplayName("zookeeper engine: an unreachable ensemble is not a busy lock")
class ZooKeeperUnreachableIsNotBusyTest {
    /** The connection timeout of these tests; the session timeout is the default (tens of seconds). */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
    /** The connection timeout, the diagnosis of the endpoint, and scheduling on a loaded machine. */
    private static final long OPEN_BOUND_MILLIS = CONNECTION_TIMEOUT.toMillis() + 2_500;

    @Test
    @DisplayName("a closed port: opening fails within the connection timeout, naming the refused connection")
    void closedPort() {
        try (MisbehavingPort port = MisbehavingPort.closed()) {
            assertOpenFails(port, "connection refused");
        }
    }

    @Test
    @DisplayName("a port that accepts and never answers: opening fails within the connection timeout")
    void silentPort() {
        try (MisbehavingPort port = MisbehavingPort.silent()) {
            assertOpenFails(port, "accepted the connection but did not answer");
        }
    }

    @Test
    @DisplayName("a port of another server: opening fails within the connection timeout, saying it is not ZooKeeper")
    void otherServer() {
        try (MisbehavingPort port = MisbehavingPort.http()) {
            assertOpenFails(port, "is not a ZooKeeper server");
        }
    }

    @Test
    @DisplayName("a bounded wait after the server went away is a backend failure within the wait")
    void serverGoneDuringWait() {
        try (ZooKeeperServer server = ZooKeeperServer.start();
                GlobalLockManager locks = GlobalLockManager.create(config(server.connectString(), "10s"))) {
            try (LockHandle first = locks.lock("report")) {
                assertThat(first.isLocked()).isTrue();
            }
            server.process().kill();
            Await.until(
                    Duration.ofSeconds(10),
                    () -> locks.toString() != null && !server.process().isAlive(),
                    () -> "the server to be gone");
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(
                            "report",
                            LockOptions.builder()
                                    .waitTime(Duration.ofMillis(1500))
                                    .build()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'zookeeper' at zookeeper://" + server.connectString() + "/globallock")
                    // either the wait ended while the client was disconnected, or Curator gave up on the
                    // node's create first (its retries can run out within the wait): both say why
                    .satisfiesAnyOf(
                            e -> assertThat(e)
                                    .hasMessageContaining("lock 'report' was not acquired within 1500ms because engine"
                                            + " 'zookeeper' at zookeeper://" + server.connectString()
                                            + "/globallock could not be reached: ")
                                    .hasMessageContaining("not connected"),
                            e -> assertThat(e)
                                    .hasMessageContaining("failed to acquire lock 'report'")
                                    .hasMessageContaining("CONNECTIONLOSS"))
                    .satisfies(e -> System.out.println("server gone: " + e.getMessage()));
            assertThat(millisSince(start)).isLessThan(1500 + 1000);
        }
    }

    private static void assertOpenFails(MisbehavingPort port, String reason) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> GlobalLockManager.create(config(port.hostAndPort(), null)))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("engine 'zookeeper' at zookeeper://" + port.hostAndPort() + "/globallock")
                .hasMessageContaining("could not connect within the connection timeout of 1s")
                .hasMessageContaining(reason)
                .satisfies(e -> System.out.println(port + ": " + e.getMessage()));
        assertThat(millisSince(start)).as("fails within the bound").isLessThan(OPEN_BOUND_MILLIS);
        Await.until(
                Duration.ofSeconds(5),
                () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().contains("-SendThread(" + port.hostAndPort())
                                || t.getName().contains("-SendThread(localhost:" + port.port())
                                || t.getName().equals("globallock-zookeeper-close")),
                () -> "the ZooKeeper client's threads to end");
    }

    private static Map<String, Object> config(String connectString, String sessionTimeout) {
        Map<String, Object> section = new java.util.LinkedHashMap<>();
        section.put("connect-string", connectString);
        section.put("connection-timeout", "1s");
        if (sessionTimeout != null) {
            section.put("session-timeout", sessionTimeout);
        }
        return Map.of("engine", "zookeeper", "zookeeper", section);
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
