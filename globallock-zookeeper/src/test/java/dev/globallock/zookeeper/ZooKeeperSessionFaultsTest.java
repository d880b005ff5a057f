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
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions meeting real faults on Debian's ZooKeeper 3.8 server process: the server expiring a
 * session, a server restart, a hung (SIGSTOPped) server and a partitioned holder.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperSessionFaultsTest {
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);

    private static ZooKeeperServer server;
    private static CuratorFramework observer;

    private final List<AutoCloseable> closeables = new ArrayList<>();

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

    @AfterEach
    void closeAll() throws Exception {
        if (server.process().isPaused()) {
            server.process().resume();
        }
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (RuntimeException e) {
                // the fault may have taken the lock already
            }
        }
    }

    private GlobalLockManager manager(String connectString, Duration sessionTimeout) {
        GlobalLockManager manager = GlobalLockManager.builder()
                .config(TestingServers.config(connectString, sessionTimeout))
                .keyPrefix("faults-")
                .build();
        closeables.add(manager);
        return manager;
    }

    private static LockOptions waitAtMost(Duration wait) {
        return LockOptions.builder().waitTime(wait).build();
    }

    private static LockOptions forever() {
        return LockOptions.builder().waitForever().build();
    }

    private static void await(String what, Duration patience, BooleanSupplier condition) {
        Await.until(patience, condition, () -> what);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    @Test
    @DisplayName("when the server expires the holder's session, the holder is told and a waiter takes over")
    void serverExpiresSession() throws Exception {
        CuratorFramework holderClient = CuratorFrameworkFactory.builder()
                .connectString(server.connectString())
                .sessionTimeoutMs((int) SESSION_TIMEOUT.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        holderClient.start();
        closeables.add(holderClient);
        assertThat(holderClient.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        GlobalLockManager holder = GlobalLockManager.builder()
                .engine(ZooKeeperLockEngine.open(
                        ZooKeeperEngineConfig.builder().client(holderClient).build()))
                .keyPrefix("faults-")
                .watchdogLease(Duration.ofSeconds(60))
                .build();
        closeables.add(0, holder);
        GlobalLockManager waiter = manager(server.connectString(), SESSION_TIMEOUT);

        LockHandle held = holder.lock("expiry", waitAtMost(Duration.ofSeconds(10)));
        AtomicInteger told = new AtomicInteger();
        held.onLost(told::incrementAndGet);
        CompletableFuture<LockHandle> waiting = waiter.lockAsync("expiry", forever());

        // A second handle on the same session, closed: the server ends the session for real
        // (unlike Curator's KillSession helpers, which only fake an expiry on the client).
        ZooKeeper zk = holderClient.getZookeeperClient().getZooKeeper();
        CountDownLatch attached = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(
                server.connectString(),
                (int) SESSION_TIMEOUT.toMillis(),
                event -> {
                    if (event.getState() == KeeperState.SyncConnected) {
                        attached.countDown();
                    }
                },
                zk.getSessionId(),
                zk.getSessionPasswd());
        assertThat(attached.await(10, TimeUnit.SECONDS)).isTrue();
        long expiredAt = System.nanoTime();
        twin.close();

        try (LockHandle next = waiting.get(10, TimeUnit.SECONDS)) {
            assertThat(millisSince(expiredAt))
                    .as("the waiter got the lock at once, not after a timeout")
                    .isLessThan(SESSION_TIMEOUT.toMillis());
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            await("the holder is told", Duration.ofSeconds(10), () -> told.get() == 1);
            assertThat(held.state()).isEqualTo(LockState.LOST);
            assertThat(held.isLocked()).isFalse();
        }
        try (LockHandle again = holder.lock("expiry", waitAtMost(Duration.ofSeconds(10)))) {
            assertThat(again.isLocked())
                    .as("the engine works on its new session")
                    .isTrue();
        }
    }

    @Test
    @DisplayName("a server restart within the session timeout keeps held locks and waiters")
    void serverRestart() throws Exception {
        Duration longSession = Duration.ofSeconds(15);
        List<String> holderSignals = new CopyOnWriteArrayList<>();
        GlobalLockManager holder = GlobalLockManager.builder()
                .config(TestingServers.config(server.connectString(), longSession))
                .keyPrefix("faults-")
                .decorateEngine(engine -> new SignalRecordingEngine(engine, holderSignals))
                .build();
        closeables.add(holder);
        GlobalLockManager waiter = manager(server.connectString(), longSession);
        LockHandle held = holder.lock("restart", waitAtMost(Duration.ofSeconds(10)));
        AtomicInteger told = new AtomicInteger();
        held.onLost(told::incrementAndGet);
        CompletableFuture<LockHandle> waiting = waiter.lockAsync("restart", forever());
        await("the waiter queued", Duration.ofSeconds(10), () -> {
            try {
                return observer.getChildren()
                                .forPath(LockPaths.parentOf("faults-restart"))
                                .size()
                        == 2;
            } catch (Exception e) {
                return false;
            }
        });

        server.process().restart();

        await("the holder was told its ownership was uncertain, then confirmed", Duration.ofSeconds(20), () -> {
            int uncertain = holderSignals.indexOf("uncertain");
            return uncertain >= 0
                    && holderSignals.subList(uncertain, holderSignals.size()).contains("confirmed");
        });
        assertThat(holderSignals).as("what the engine told the holder's lease").doesNotContain("lost");
        assertThat(held.state()).isEqualTo(LockState.HELD);
        assertThat(told.get()).isZero();
        assertThat(manager(server.connectString(), longSession)
                        .tryLock("restart")
                        .isLocked())
                .as("still held after the restart")
                .isFalse();
        assertThat(waiting).isNotDone();
        held.release();
        try (LockHandle next = waiting.get(10, TimeUnit.SECONDS)) {
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        }
    }

    @Test
    @DisplayName("a hung server: handles turn uncertain, then lost once the session is gone; the engine recovers")
    void hungServer() throws Exception {
        GlobalLockManager holder = manager(server.connectString(), SESSION_TIMEOUT);
        LockHandle held = holder.lock("hung", waitAtMost(Duration.ofSeconds(10)));
        AtomicInteger told = new AtomicInteger();
        held.onLost(told::incrementAndGet);

        server.process().pause();
        try {
            await("uncertain", Duration.ofSeconds(10), () -> held.state() == LockState.UNCERTAIN);
            assertThat(held.isLocked()).as("uncertain still counts as held").isTrue();
            await("lost after a session timeout", Duration.ofSeconds(15), () -> told.get() == 1);
            assertThat(held.state()).isEqualTo(LockState.LOST);
        } finally {
            server.process().resume();
        }
        try (LockHandle again = holder.lock("hung", waitAtMost(Duration.ofSeconds(20)))) {
            assertThat(again.fencingToken()).isGreaterThan(held.fencingToken());
        }
    }

    @Test
    @DisplayName("a partitioned holder's lock passes to a waiter only after its session is gone, and it is told")
    void partitionedHolder() throws Exception {
        try (TcpProxy proxy = new TcpProxy(server.port())) {
            GlobalLockManager holder = manager(proxy.connectString(), SESSION_TIMEOUT);
            GlobalLockManager waiter = manager(server.connectString(), SESSION_TIMEOUT);
            LockHandle held = holder.lock("partition", waitAtMost(Duration.ofSeconds(10)));
            AtomicLong uncertainAt = new AtomicLong();
            AtomicLong lostAt = new AtomicLong();
            held.onLost(() -> lostAt.set(System.nanoTime()));
            CompletableFuture<LockHandle> waiting = waiter.lockAsync("partition", forever());
            Thread watcher = new Thread(() -> {
                while (uncertainAt.get() == 0 && !Thread.currentThread().isInterrupted()) {
                    if (held.state() == LockState.UNCERTAIN) {
                        uncertainAt.set(System.nanoTime());
                    }
                    Thread.onSpinWait();
                }
            });
            watcher.setDaemon(true);
            watcher.start();

            long cutAt = System.nanoTime();
            proxy.cut();
            LockHandle next = waiting.get(20, TimeUnit.SECONDS);
            long grantedAt = System.nanoTime();
            watcher.interrupt();
            closeables.add(next);

            assertThat(TimeUnit.NANOSECONDS.toMillis(grantedAt - cutAt))
                    .as("granted only once the server expired the holder's session")
                    .isGreaterThanOrEqualTo(SESSION_TIMEOUT.toMillis() - 100);
            assertThat(uncertainAt.get()).as("the holder went uncertain").isNotZero();
            assertThat(uncertainAt.get() - grantedAt)
                    .as("the holder knew its ownership was uncertain before the waiter got the lock")
                    .isNegative();
            await("the holder is told its lease is lost", Duration.ofSeconds(15), () -> lostAt.get() != 0);
            assertThat(held.state()).isEqualTo(LockState.LOST);
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            proxy.heal();
            next.release();
        }
    }

    @Test
    @DisplayName("an engine whose manager crashed (abandon) keeps its lock until the server expires the session")
    void abandonedHolderHeldUntilSessionExpiry() throws Exception {
        AtomicLong abandonedAt = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<dev.globallock.spi.LockEngine> engine =
                new java.util.concurrent.atomic.AtomicReference<>();
        GlobalLockManager crashing = GlobalLockManager.builder()
                .config(TestingServers.config(server.connectString(), SESSION_TIMEOUT))
                .keyPrefix("faults-")
                .decorateEngine(e -> {
                    engine.set(e);
                    return e;
                })
                .build();
        closeables.add(crashing);
        GlobalLockManager survivor = manager(server.connectString(), SESSION_TIMEOUT);
        crashing.lock("crash", waitAtMost(Duration.ofSeconds(10)));
        dev.globallock.spi.support.Abandonable.crash(engine.get());
        abandonedAt.set(System.nanoTime());
        assertThat(survivor.tryLock("crash").isLocked())
                .as("a crash does not release: the session is still alive")
                .isFalse();
        try (LockHandle taken = survivor.lock("crash", waitAtMost(Duration.ofSeconds(15)))) {
            assertThat(millisSince(abandonedAt.get()))
                    .as("freed by the server's session expiry (the last ping may precede the crash by a"
                            + " third of the timeout)")
                    .isGreaterThanOrEqualTo(SESSION_TIMEOUT.toMillis() / 2)
                    .isLessThan(SESSION_TIMEOUT.toMillis() + 3_000);
        }
    }

    /** Forwards to the engine and records what it tells each lease (uncertain, confirmed, lost). */
    private static final class SignalRecordingEngine extends ForwardingLockEngine {
        private final List<String> signals;

        SignalRecordingEngine(LockEngine delegate, List<String> signals) {
            super(delegate);
            this.signals = signals;
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            LeaseListener manager = request.listener();
            LeaseListener recording = new LeaseListener() {
                @Override
                public void leaseLost(Throwable cause) {
                    signals.add("lost");
                    manager.leaseLost(cause);
                }

                @Override
                public void ownershipUncertain() {
                    signals.add("uncertain");
                    manager.ownershipUncertain();
                }

                @Override
                public void ownershipConfirmed() {
                    signals.add("confirmed");
                    manager.ownershipConfirmed();
                }
            };
            return super.acquire(request.withListener(recording));
        }
    }
}
