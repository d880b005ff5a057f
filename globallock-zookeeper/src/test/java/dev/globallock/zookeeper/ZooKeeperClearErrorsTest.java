/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Mistakes in the connect string and the session timeout are reported at load time, naming the key,
 * the value and what is wrong, instead of as a connection that never comes.
 */
@DisplayName("zookeeper engine: configuration mistakes are named at load time")
class ZooKeeperClearErrorsTest {

    @Test
    @DisplayName("a port given as text is not a number")
    void portAsText() {
        assertRejectedAtOnce(
                Map.of("connect-string", "127.0.0.1:abc"),
                "zookeeper.connect-string was '127.0.0.1:abc' but its port 'abc' (of server '127.0.0.1:abc') is not a"
                        + " number");
        assertRejectedAtOnce(
                Map.of("connect-string", "127.0.0.1:2181,127.0.0.1:"),
                "its server '127.0.0.1:' has no port after the ':'");
        assertRejectedAtOnce(
                Map.of("connect-string", "127.0.0.1:70000"),
                "its port 70000 (of server '127.0.0.1:70000') is not between");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().connectString("127.0.0.1:abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connect string was '127.0.0.1:abc' but its port 'abc'");
    }

    @Test
    @DisplayName("a malformed chroot is not a valid ZooKeeper path")
    void malformedChroot() {
        assertRejectedAtOnce(
                Map.of("connect-string", "127.0.0.1:2181/bad//chroot"),
                "zookeeper.connect-string was '127.0.0.1:2181/bad//chroot' but its chroot '/bad//chroot' is not a"
                        + " valid ZooKeeper path: ");
        assertRejectedAtOnce(
                Map.of("connect-string", "127.0.0.1:2181/app/"), "its chroot '/app/' is not a valid ZooKeeper path");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().connectString("127.0.0.1:2181/bad//chroot"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("its chroot '/bad//chroot' is not a valid ZooKeeper path");
    }

    @Test
    @DisplayName("a session timeout no server grants and no client can connect with")
    void tinySessionTimeout() {
        assertRejectedAtOnce(
                Map.of("connect-string", "127.0.0.1:2181", "session-timeout", "1ms"),
                "zookeeper.session-timeout was '1ms' but it must be at least 100ms: ZooKeeper servers grant at least"
                        + " twice their tickTime");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().sessionTimeout(Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("session timeout was '1ms' but it must be at least 100ms");
    }

    @Test
    @DisplayName("well-formed connect strings are accepted: several servers, IPv6, no port, a chroot")
    void wellFormed() {
        for (String connect : new String[] {
            "zk1:2181,zk2:2181,zk3:2181", "[::1]:2181", "zk1", "zk1:2181/apps/billing", "127.0.0.1:2181/"
        }) {
            assertThat(ConnectString.problem(connect)).as(connect).isNull();
        }
        assertThat(ConnectString.servers("zk1:2182,[::1],zk3/app"))
                .extracting(Object::toString)
                .containsExactly("zk1:2182", "[::1]:2181", "zk3:2181");
    }

    private static void assertRejectedAtOnce(Map<String, Object> zookeeper, String words) {
        Map<String, Object> section = new LinkedHashMap<>(zookeeper);
        section.putIfAbsent("connection-timeout", "1s");
        long start = System.nanoTime();
        assertThatThrownBy(() -> GlobalLockManager.create(Map.of("engine", "zookeeper", "zookeeper", section)))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining(words)
                .satisfies(e -> System.out.println("rejected: " + e.getMessage()));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("at load time, before any connection")
                .isLessThan(1_000);
    }
}
