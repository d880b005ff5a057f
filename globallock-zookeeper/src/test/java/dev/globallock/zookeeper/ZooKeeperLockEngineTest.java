/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine's own behaviour on Curator's in-process server: layout, FIFO, watches, sessions. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperLockEngineTest {
    private static TestingServer server;
    private static CuratorFramework observer;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestingServers.start();
        observer = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100))
                .namespace("globallock")
                .build();
        observer.start();
        observer.blockUntilConnected(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopServer() throws Exception {
        observer.close();
        server.close();
    }

    @BeforeEach
    void newPrefix() {
        prefix = "t-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (RuntimeException e) {
                // a test that broke the connection on purpose may fail to release
            }
        }
    }

    private GlobalLockManager manager() {
        return manager(b -> {});
    }

    private GlobalLockManager manager(Consumer<GlobalLockManager.Builder> customizer) {
        GlobalLockManager.Builder builder = GlobalLockManager.builder()
                .config(TestingServers.config(server.getConnectString()))
                .keyPrefix(prefix);
        customizer.accept(builder);
        GlobalLockManager manager = builder.build();
        closeables.add(manager);
        return manager;
    }

    private String parentOf(String name) {
        return LockPaths.parentOf(prefix + name);
    }

    private List<String> children(String name) throws Exception {
        Stat stat = observer.checkExists().forPath(parentOf(name));
        return stat == null ? List.of() : observer.getChildren().forPath(parentOf(name));
    }

    private static LockOptions waitAtMost(Duration wait) {
        return LockOptions.builder().waitTime(wait).build();
    }

    private static LockOptions forever() {
        return LockOptions.builder().waitForever().build();
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(Duration.ofSeconds(20), condition, () -> what);
    }

    private BooleanSupplier childCount(String name, int count) {
        return () -> {
            try {
                return children(name).size() == count;
            } catch (Exception e) {
                return false;
            }
        };
    }

    @Test
    @DisplayName("a lock is one protected ephemeral-sequential node; its czxid is the fencing token")
    void layoutAndToken() throws Exception {
        GlobalLockManager locks = manager();
        try (LockHandle held = locks.lock("orders/42", waitAtMost(Duration.ofSeconds(10)))) {
            assertThat(parentOf("orders/42")).isEqualTo("/" + prefix + "orders%2F42");
            List<String> nodes = children("orders/42");
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0)).matches("_c_[0-9a-f-]{36}-lock-\\d{10}");
            Stat stat = observer.checkExists().forPath(parentOf("orders/42") + "/" + nodes.get(0));
            assertThat(stat.getEphemeralOwner()).isNotZero();
            assertThat(held.fencingToken()).isEqualTo(stat.getCzxid());
            assertThat(locks.inspect("orders/42").orElseThrow().fencingToken()).hasValue(stat.getCzxid());
        }
        assertThat(children("orders/42")).isEmpty();
    }

    @Test
    @DisplayName("the engine declares session-bound FIFO locks and no explicit lease time")
    void capabilities() {
        GlobalLockManager locks = manager();
        assertThat(locks.capabilities().all())
                .containsExactlyInAnyOrder(
                        Capability.SESSION_BOUND,
                        Capability.FIFO,
                        Capability.FENCING_TOKENS,
                        Capability.WAIT_NOTIFICATION,
                        Capability.SEMAPHORE,
                        Capability.READ_WRITE_LOCK);
        assertThatThrownBy(() -> locks.lock(
                        "leased",
                        LockOptions.builder().leaseTime(Duration.ofSeconds(5)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zookeeper")
                .hasMessageContaining("session");
    }

    @Test
    @DisplayName("waiters are granted the lock in the order they queued")
    void fifo() throws Exception {
        GlobalLockManager holder = manager();
        List<GlobalLockManager> waiters = List.of(manager(), manager(), manager());
        LockHandle held = holder.lock("fifo", waitAtMost(Duration.ofSeconds(10)));
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < waiters.size(); i++) {
            int index = i;
            done.add(waiters.get(i).lockAsync("fifo", forever()).thenAccept(handle -> {
                order.add(index);
                handle.release();
            }));
            await("waiter " + i + " queued", childCount("fifo", i + 2));
        }
        held.release();
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        assertThat(order).containsExactly(0, 1, 2);
        await("nothing left", childCount("fifo", 0));
    }

    @Test
    @DisplayName("a single attempt on a held lock leaves no node behind")
    void failedAttemptLeavesNothing() throws Exception {
        GlobalLockManager first = manager();
        GlobalLockManager second = manager();
        try (LockHandle held = first.lock("busy", waitAtMost(Duration.ofSeconds(10)))) {
            assertThat(second.tryLock("busy").isLocked()).isFalse();
            assertThat(children("busy")).hasSize(1);
        }
    }

    @Test
    @DisplayName("a cancelled waiter deletes its node and the lock passes over it")
    void cancelledWaiterLeavesNothing() throws Exception {
        GlobalLockManager holder = manager();
        GlobalLockManager quitter = manager();
        GlobalLockManager patient = manager();
        LockHandle held = holder.lock("cancel", waitAtMost(Duration.ofSeconds(10)));
        CompletableFuture<LockHandle> quitting = quitter.lockAsync("cancel", forever());
        await("quitter queued", childCount("cancel", 2));
        CompletableFuture<LockHandle> waiting = patient.lockAsync("cancel", forever());
        await("patient queued", childCount("cancel", 3));
        quitting.cancel(false);
        await("the quitter's node is gone", childCount("cancel", 2));
        held.release();
        try (LockHandle granted = waiting.get(10, TimeUnit.SECONDS)) {
            assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
        }
        await("nothing left", childCount("cancel", 0));
    }

    @Test
    @DisplayName("a holder that waited is told at once when its node is deleted behind its back")
    void watchedHolderToldAtOnce() throws Exception {
        GlobalLockManager first = manager();
        GlobalLockManager second = manager(b -> b.watchdogLease(Duration.ofSeconds(60)));
        LockHandle held = first.lock("watched", waitAtMost(Duration.ofSeconds(10)));
        CompletableFuture<LockHandle> waiting = second.lockAsync("watched", forever());
        await("queued", childCount("watched", 2));
        held.release();
        LockHandle mine = waiting.get(10, TimeUnit.SECONDS);
        AtomicInteger told = new AtomicInteger();
        mine.onLost(told::incrementAndGet);
        long start = System.nanoTime();
        observer.delete()
                .forPath(parentOf("watched") + "/" + children("watched").get(0));
        await("told", () -> told.get() == 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("well before the first watchdog renewal at 20 s")
                .isLessThan(5_000);
        assertThat(mine.state()).isEqualTo(LockState.LOST);
    }

    @Test
    @DisplayName("a waiter whose node is deleted behind its back queues again and still gets the lock")
    void waiterNodeDeletedRequeues() throws Exception {
        GlobalLockManager holder = manager();
        GlobalLockManager waiter = manager();
        LockHandle held = holder.lock("requeue", waitAtMost(Duration.ofSeconds(10)));
        CompletableFuture<LockHandle> waiting = waiter.lockAsync("requeue", forever());
        await("queued", childCount("requeue", 2));
        List<String> nodes = new ArrayList<>(children("requeue"));
        nodes.sort(java.util.Comparator.comparingLong(
                child -> LockPaths.sequenceOf(child).getAsLong()));
        String waiterNode = nodes.get(1);
        observer.delete().forPath(parentOf("requeue") + "/" + waiterNode);
        await("queued again with a new node", () -> {
            try {
                List<String> now = children("requeue");
                return now.size() == 2 && !now.contains(waiterNode);
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(waiting).isNotDone();
        held.release();
        try (LockHandle granted = waiting.get(10, TimeUnit.SECONDS)) {
            assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
        }
    }

    @Test
    @DisplayName("a holder that never waited learns of its deleted node at the next renewal")
    void fastPathHolderToldByRenewal() throws Exception {
        GlobalLockManager locks = manager(b -> b.watchdogLease(Duration.ofMillis(900)));
        LockHandle held = locks.lock("renewed", waitAtMost(Duration.ofSeconds(10)));
        AtomicInteger told = new AtomicInteger();
        held.onLost(told::incrementAndGet);
        Await.holdsFor(
                Duration.ofSeconds(1), held::isLocked, () -> "renewals to keep the lock held past its 900 ms lease");
        observer.delete()
                .forPath(parentOf("renewed") + "/" + children("renewed").get(0));
        await("told", () -> told.get() == 1);
        assertThat(held.state()).isEqualTo(LockState.LOST);
    }

    @Test
    @DisplayName("the lock interoperates with Curator's InterProcessMutex on the same path")
    void curatorMutexExcluded() throws Exception {
        GlobalLockManager locks = manager();
        InterProcessMutex mutex = new InterProcessMutex(observer, parentOf("shared"));
        try (LockHandle held = locks.lock("shared", waitAtMost(Duration.ofSeconds(10)))) {
            assertThat(mutex.acquire(200, TimeUnit.MILLISECONDS)).isFalse();
        }
        assertThat(mutex.acquire(5, TimeUnit.SECONDS)).isTrue();
        assertThat(locks.tryLock("shared").isLocked()).isFalse();
        mutex.release();
        assertThat(locks.tryLock("shared").isLocked()).isTrue();
    }

    @Test
    @DisplayName("an engine on a client the application gave uses it and never closes it")
    void givenClientStaysOpen() throws Exception {
        CuratorFramework app = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100))
                .namespace("app")
                .build();
        app.start();
        try {
            ZooKeeperLockEngine engine = ZooKeeperLockEngine.open(
                    ZooKeeperEngineConfig.builder().client(app).build());
            assertThat(engine.describeEndpoint()).endsWith("/app/globallock");
            try (GlobalLockManager locks =
                    GlobalLockManager.builder().engine(engine).keyPrefix(prefix).build()) {
                try (LockHandle held = locks.lock("given", waitAtMost(Duration.ofSeconds(10)))) {
                    assertThat(app.checkExists().forPath("/globallock" + parentOf("given")))
                            .isNotNull();
                }
            }
            assertThat(app.getState()).isEqualTo(CuratorFrameworkState.STARTED);
            assertThat(app.getZookeeperClient().isConnected()).isTrue();
        } finally {
            app.close();
        }
    }

    @Test
    @DisplayName("the zookeeper section of the reference configuration is valid as written")
    @SuppressWarnings("unchecked")
    void referenceSectionIsValid() throws Exception {
        java.nio.file.Path reference =
                java.nio.file.Path.of("../globallock-api/src/main/resources/dev/globallock/globallock-reference.yaml");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isReadable(reference), "run from the source tree");
        Map<String, Object> yaml;
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(reference)) {
            yaml = new org.yaml.snakeyaml.Yaml().load(in);
        }
        Map<String, Object> section = new java.util.LinkedHashMap<>((Map<String, Object>) yaml.get("zookeeper"));
        section.put("connect-string", server.getConnectString());
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .config(Map.of("engine", "zookeeper", "zookeeper", section))
                .keyPrefix(prefix)
                .build()) {
            assertThat(locks.tryLock("reference").isLocked()).isTrue();
        }
    }

    @Test
    @DisplayName("with digest authentication and acl creator-only, others can neither see through nor break a lock")
    void digestCreatorOnly() throws Exception {
        Map<String, Object> section = new java.util.LinkedHashMap<>();
        section.put("connect-string", server.getConnectString());
        section.put("namespace", "secured-" + prefix.substring(0, prefix.length() - 1));
        section.put("digest", Map.of("username", "app", "password", "s3cret"));
        section.put("acl", "creator-only");
        Map<String, Object> config = Map.of("engine", "zookeeper", "zookeeper", section);
        GlobalLockManager first = GlobalLockManager.create(config);
        GlobalLockManager second = GlobalLockManager.create(config);
        closeables.add(first);
        closeables.add(second);
        try (LockHandle held = first.lock("secured", waitAtMost(Duration.ofSeconds(10)))) {
            assertThat(second.tryLock("secured").isLocked()).isFalse();
            String parent = "/" + section.get("namespace") + LockPaths.parentOf("secured");
            CuratorFramework insider = CuratorFrameworkFactory.builder()
                    .connectString(server.getConnectString())
                    .retryPolicy(new RetryOneTime(100))
                    .authorization("digest", "app:s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .build();
            CuratorFramework stranger =
                    CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
            insider.start();
            stranger.start();
            try {
                String node =
                        parent + "/" + insider.getChildren().forPath(parent).get(0);
                assertThat(insider.getACL().forPath(node))
                        .allSatisfy(acl -> assertThat(acl.getId().getScheme()).isEqualTo("digest"));
                assertThat(insider.getACL().forPath(parent))
                        .allSatisfy(acl -> assertThat(acl.getId().getScheme()).isEqualTo("digest"));
                assertThatThrownBy(() -> stranger.getChildren().forPath(parent))
                        .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> stranger.delete().forPath(node))
                        .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> stranger.create().forPath(parent + "/intruder"))
                        .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            } finally {
                insider.close();
                stranger.close();
            }
        }
        assertThat(second.tryLock("secured").isLocked()).isTrue();
    }

    @Test
    @DisplayName("an unreachable ensemble fails within the connection timeout, naming the endpoint")
    void unreachable() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, Object> config = Map.of(
                "engine",
                "zookeeper",
                "zookeeper",
                Map.of("connect-string", "127.0.0.1:" + closedPort, "connection-timeout", "1s"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> GlobalLockManager.create(config))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("zookeeper://127.0.0.1:" + closedPort)
                .hasMessageContaining("1s");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }
}
