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
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The blocking calls a waiting caller makes on its own thread (inside its future's {@code get}: the
 * listing behind the create, the release's delete) keep to the caller's bounds on Debian's
 * ZooKeeper 3.8 server process, and leave nothing behind when they are cut short.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperCallerRunsTest {
    /** Long: the client itself gives up on a hung server only after two thirds of it. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);

    private static ZooKeeperServer server;
    private static CuratorFramework observer;

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start();
        observer = ZooKeeperKitSupport.observer(server.connectString());
    }

    @AfterAll
    static void stopServer() {
        if (server.process().isPaused()) {
            server.process().resume();
        }
        observer.close();
        server.close();
    }

    private static LockOptions waitAtMost(Duration wait) {
        return LockOptions.builder().waitTime(wait).build();
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static List<String> children(String key) throws Exception {
        String parent = LockPaths.parentOf(key);
        return observer.checkExists().forPath(parent) == null
                ? List.of()
                : observer.getChildren().forPath(parent);
    }

    @Test
    @DisplayName("on a hung server, release and tryLock return within their bounds; the nodes go once it is back")
    void hungServer() throws Exception {
        Map<String, Object> config =
                new LinkedHashMap<>(TestingServers.config(server.connectString(), SESSION_TIMEOUT));
        config.put("operation-timeout", "500ms");
        try (GlobalLockManager locks =
                GlobalLockManager.builder().config(config).keyPrefix("callers-").build()) {
            LockHandle held = locks.lock("bounded", waitAtMost(Duration.ofSeconds(10)));
            assertThat(children("callers-bounded")).hasSize(1);

            long releaseMillis;
            long tryMillis;
            boolean acquiredMeanwhile;
            boolean interruptLeaked;
            server.process().pause();
            try {
                long releaseStarted = System.nanoTime();
                assertThatThrownBy(held::release)
                        .isInstanceOf(LockBackendException.class)
                        .hasMessageContaining("operation timeout");
                releaseMillis = millisSince(releaseStarted);
                long tryStarted = System.nanoTime();
                acquiredMeanwhile = locks.tryLock("bounded-2", waitAtMost(Duration.ofMillis(300)))
                        .isLocked();
                tryMillis = millisSince(tryStarted);
                interruptLeaked = Thread.interrupted();
            } finally {
                server.process().resume();
            }
            long clientGivesUp = SESSION_TIMEOUT.toMillis() * 2 / 3;
            assertThat(releaseMillis)
                    .as("release bounded by the operation timeout, not by the client's read timeout")
                    .isLessThan(clientGivesUp / 2);
            assertThat(acquiredMeanwhile).isFalse();
            assertThat(tryMillis)
                    .as("tryLock bounded by its wait time, not by the client's read timeout")
                    .isLessThan(clientGivesUp / 2);
            assertThat(interruptLeaked)
                    .as("the deadline's interrupt stays inside the call")
                    .isFalse();

            // the released node (guaranteed delete) and the abandoned attempt's node (deleted when
            // its create answers) are gone once the server is back
            Await.until(
                    Duration.ofSeconds(20),
                    () -> {
                        try {
                            return children("callers-bounded").isEmpty()
                                    && children("callers-bounded-2").isEmpty();
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    () -> "both lock nodes to be deleted");
            try (LockHandle again = locks.lock("bounded", waitAtMost(Duration.ofSeconds(10)))) {
                assertThat(again.fencingToken()).isGreaterThan(held.fencingToken());
            }
        }
    }

    @Test
    @DisplayName("a re-acquire whose create the deadline cuts short on a hung server leaves no node once it is back")
    void unansweredCreateOfReacquire() throws Exception {
        Map<String, Object> config =
                new LinkedHashMap<>(TestingServers.config(server.connectString(), SESSION_TIMEOUT));
        try (GlobalLockManager locks =
                GlobalLockManager.builder().config(config).keyPrefix("callers-").build()) {
            // released by this engine: the next lock is the blocking create with no listing
            LockHandle first = locks.lock("reacquired", waitAtMost(Duration.ofSeconds(10)));
            long before = first.fencingToken();
            first.release();
            boolean acquiredMeanwhile;
            server.process().pause();
            try {
                // the create is sent, its answer never comes before the deadline interrupts it
                acquiredMeanwhile = locks.tryLock("reacquired", waitAtMost(Duration.ofMillis(300)))
                        .isLocked();
            } finally {
                server.process().resume();
            }
            assertThat(acquiredMeanwhile).isFalse();
            // the server then makes that node for the live session: found by its protected name
            // and deleted, or it would block the lock for as long as the session lives
            Await.until(
                    Duration.ofSeconds(20),
                    () -> {
                        try {
                            return children("callers-reacquired").isEmpty();
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    () -> "the unanswered create's node to be deleted");
            try (LockHandle again = locks.lock("reacquired", waitAtMost(Duration.ofSeconds(10)))) {
                assertThat(again.fencingToken()).isGreaterThan(before);
            }
        }
    }

    @Test
    @DisplayName("uncontended lock and release on the caller: one node while held, none after, tokens grow")
    void uncontendedOnCaller() throws Exception {
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .config(TestingServers.config(server.connectString()))
                .keyPrefix("callers-")
                .build()) {
            long previous = 0;
            for (int i = 0; i < 20; i++) {
                LockHandle held = locks.lock("plain", waitAtMost(Duration.ofSeconds(10)));
                assertThat(children("callers-plain")).hasSize(1);
                assertThat(held.fencingToken()).isGreaterThan(previous);
                previous = held.fencingToken();
                held.release();
                assertThat(children("callers-plain"))
                        .as("the blocking release deleted the node before it returned")
                        .isEmpty();
            }
        }
    }

    @Test
    @DisplayName("after releasing a lock, an engine that locks it again still queues behind a holder that came between")
    void releasedThenTakenByAnother() throws Exception {
        try (GlobalLockManager first = GlobalLockManager.builder()
                        .config(TestingServers.config(server.connectString()))
                        .keyPrefix("callers-")
                        .build();
                GlobalLockManager second = GlobalLockManager.builder()
                        .config(TestingServers.config(server.connectString()))
                        .keyPrefix("callers-")
                        .build()) {
            for (int i = 0; i < 5; i++) {
                first.lock("between", waitAtMost(Duration.ofSeconds(10))).release();
                try (LockHandle other = second.lock("between", waitAtMost(Duration.ofSeconds(10)))) {
                    assertThat(first.tryLock("between", waitAtMost(Duration.ofMillis(100)))
                                    .isLocked())
                            .as("the lock is held by the other manager")
                            .isFalse();
                    assertThat(other.isLocked()).isTrue();
                }
                first.lock("between", waitAtMost(Duration.ofSeconds(10))).release();
                first.lock("between", waitAtMost(Duration.ofSeconds(10))).release();
            }
            assertThat(children("callers-between")).isEmpty();
        }
    }
}
