/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockLostException;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine, single server: faults, bad input and round trips")
class RedisSingleServerFaultsTest {
    private static RedisServer redis;
    private static RedisServer secured;
    private static RedisClient admin;

    @BeforeAll
    static void startServers() {
        redis = RedisServer.start();
        secured = RedisServer.start(
                RedisServer.Options.builder().password("s3cr3t-pw").build());
        admin = RedisClient.create(redis.host(), redis.port());
    }

    @AfterAll
    static void stopServers() {
        if (admin != null) {
            admin.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (secured != null) {
            secured.close();
        }
    }

    private static GlobalLockManager manager(Map<String, Object> redisSection, Duration watchdogLease) {
        return GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "redis", "key-prefix", "faults-" + UUID.randomUUID() + ":", "redis", redisSection))
                .watchdogLease(watchdogLease)
                .build();
    }

    private static GlobalLockManager manager() {
        return manager(Map.of("nodes", List.of(redis.uri())), Duration.ofSeconds(30));
    }

    private static long calls(String command) {
        String stats = admin.info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    @DisplayName("acquire and release are one EVALSHA each; a reentrant acquire sends nothing")
    void oneRoundTripEach() {
        try (GlobalLockManager locks = manager()) {
            locks.tryLock("warm-up").close(); // loads the scripts
            long before = calls("evalsha");
            long evalBefore = calls("eval");
            try (LockHandle outer = locks.lock("round-trips");
                    LockHandle inner = locks.lock("round-trips")) {
                assertThat(inner.fencingToken()).isEqualTo(outer.fencingToken());
                assertThat(calls("evalsha") - before).isEqualTo(1);
            }
            assertThat(calls("evalsha") - before).isEqualTo(2);
            assertThat(calls("eval")).isEqualTo(evalBefore);
        }
    }

    @Test
    @DisplayName("the watchdog renews many held locks with one script call")
    void renewalIsBatched() {
        try (GlobalLockManager locks = manager(Map.of("nodes", List.of(redis.uri())), Duration.ofMillis(900))) {
            for (int i = 0; i < 50; i++) {
                locks.lock("batch-" + i);
            }
            long before = calls("evalsha");
            // about three watchdog periods (300 ms each)
            Await.until(Duration.ofSeconds(5), () -> calls("evalsha") - before >= 3, () -> "three renewals");
            long renewals = calls("evalsha") - before;
            assertThat(renewals).as("script calls for 3 periods of 50 locks").isLessThanOrEqualTo(4);
        }
    }

    @Test
    @DisplayName(
            "after a restart that lost the data, locks are re-acquirable, scripts reload and tokens still increase")
    void restartLosesDataButNotOrder() {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager locks = GlobalLockManager.builder()
                        .config(Map.of("engine", "redis", "redis", Map.of("nodes", List.of(own.uri()))))
                        .watchdogLease(Duration.ofSeconds(1))
                        .build()) {
            LockHandle before = locks.lock("restart");
            long token = before.fencingToken();
            before.close();
            LockHandle held = locks.lock("restart-held");
            own.process().restart(); // no persistence: locks, counters and the script cache are gone
            // the first call after the restart may see the broken pooled connection; the next one reconnects
            Await.until(
                    Duration.ofSeconds(10),
                    () -> {
                        try (LockHandle again = locks.tryLock("restart")) {
                            return again.isLocked() && again.fencingToken() > token;
                        } catch (LockBackendException e) {
                            return false;
                        }
                    },
                    () -> "re-acquired after the restart with a larger token");
            try (LockHandle reheld = locks.tryLock("restart-held")) {
                assertThat(reheld.isLocked())
                        .as("the lock lost with the data is free again")
                        .isTrue();
            }
            Await.until(Duration.ofSeconds(10), () -> !held.isLocked(), () -> "the renewal reports the lost lock");
            assertThatThrownBy(held::release).isInstanceOf(LockLostException.class);
        }
    }

    @Test
    @DisplayName("a holder frozen past its lease is told it lost the lock, and its late release frees nothing")
    void frozenHolderLearnsItLostTheLock() {
        AtomicBoolean frozen = new AtomicBoolean();
        AtomicReferenceEngine frozenEngine = new AtomicReferenceEngine();
        GlobalLockManager holder = GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "redis", "key-prefix", "frozen:", "redis", Map.of("nodes", List.of(redis.uri()))))
                .watchdogLease(Duration.ofSeconds(1))
                .decorateEngine(engine -> frozenEngine.wrap(engine, frozen))
                .build();
        try (holder;
                GlobalLockManager next = GlobalLockManager.builder()
                        .config(Map.of(
                                "engine",
                                "redis",
                                "key-prefix",
                                "frozen:",
                                "redis",
                                Map.of("nodes", List.of(redis.uri()))))
                        .build()) {
            LockHandle stale = holder.lock("frozen");
            AtomicInteger told = new AtomicInteger();
            stale.onLost(told::incrementAndGet);
            frozen.set(true); // renewals stop reaching the server, as in a long GC pause
            LockHandle current = next.lock(
                    "frozen",
                    LockOptions.builder().waitTime(Duration.ofSeconds(10)).build());
            assertThat(current.fencingToken()).isGreaterThan(stale.fencingToken());
            frozen.set(false);
            frozenEngine.thaw();
            Await.until(Duration.ofSeconds(10), () -> told.get() == 1, () -> "the frozen holder is told");
            assertThat(stale.state()).isEqualTo(LockState.LOST);
            assertThatThrownBy(stale::release).isInstanceOf(LockLostException.class);
            assertThat(current.isLocked()).isTrue();
            assertThat(admin.exists(LockKeys.of("frozen:frozen").lock)).isTrue();
            current.release();
        }
    }

    @Test
    @DisplayName("an application's own RedisClient is used, shared with waiters, and never closed")
    void applicationClient() throws Exception {
        try (RedisClient app = RedisClient.create(redis.host(), redis.port())) {
            RedisEngineConfig config = RedisEngineConfig.builder().client(app).build();
            try (GlobalLockManager first = GlobalLockManager.builder()
                            .engine(RedisLockEngine.open(config))
                            .build();
                    GlobalLockManager second = GlobalLockManager.create(
                            Map.of("engine", "redis", "redis", Map.of("nodes", List.of(redis.uri()))))) {
                LockHandle held = first.lock("app-client");
                CompletableFuture<LockHandle> waiting = first.lockAsync(
                        "app-client", LockOptions.builder().waitForever().build());
                assertThat(second.tryLock("app-client").isLocked()).isFalse();
                held.release();
                LockHandle next = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
                next.release();
            }
            assertThat(app.ping()).isEqualTo("PONG");
        }
    }

    @Test
    @DisplayName("a wrong password is a clear error within the timeouts, and never shows the password")
    void wrongPassword() {
        long start = System.nanoTime();
        try (GlobalLockManager locks = manager(
                Map.of("nodes", List.of(secured.uri()), "password", "not-the-password", "connect-timeout", "1s"),
                Duration.ofSeconds(30))) {
            assertThatThrownBy(() -> locks.lock(
                            "secret",
                            LockOptions.builder()
                                    .waitTime(Duration.ofSeconds(5))
                                    .build()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("redis")
                    .hasMessageContaining(secured.uri())
                    .hasMessageContaining("'secret'")
                    .hasMessageContaining("WRONGPASS")
                    .hasMessageNotContaining("not-the-password");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        try (GlobalLockManager locks =
                manager(Map.of("nodes", List.of(secured.uri()), "password", "s3cr3t-pw"), Duration.ofSeconds(30))) {
            try (LockHandle held = locks.lock("secret")) {
                assertThat(held.isLocked()).isTrue();
                assertThat(locks.toString()).doesNotContain("s3cr3t-pw");
            }
        }
    }

    @Test
    @DisplayName("an unreachable node fails a lock within the connect timeout, naming the endpoint and the lock")
    void unreachableNode() {
        String uri = "redis://127.0.0.1:" + FreePorts.next();
        long start = System.nanoTime();
        try (GlobalLockManager locks = manager(
                Map.of("nodes", List.of(uri), "connect-timeout", "300ms", "command-timeout", "300ms"),
                Duration.ofSeconds(30))) {
            assertThatThrownBy(() -> locks.lock("nowhere"))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining(uri)
                    .hasMessageContaining("'nowhere'");
            assertThatThrownBy(() -> locks.tryLock("nowhere")).isInstanceOf(LockBackendException.class);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("names with braces, spaces, unicode and 1 KB stay in one slot and never collide")
    void unusualNames() {
        try (GlobalLockManager locks = manager()) {
            List<String> names =
                    List.of("{", "}", "{}", "}{", "a{b}c", "{a}", "%7B", "with space", "ünï-锁-🔒", "x".repeat(1024));
            for (String name : names) {
                LockHandle held = locks.tryLock(name);
                assertThat(held.isLocked()).as("'%s'", name).isTrue();
            }
            assertThat(locks.inspect("{a}").orElseThrow().isHeld()).isTrue();
        }
    }

    /** Wraps an engine so that renewals hang while frozen, then report what the server says once thawed. */
    private static final class AtomicReferenceEngine {
        private final java.util.List<Runnable> pending = new java.util.concurrent.CopyOnWriteArrayList<>();

        LockEngine wrap(LockEngine engine, AtomicBoolean frozen) {
            return new ForwardingLockEngine(engine) {
                @Override
                public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                    if (!frozen.get()) {
                        return engine.renew(grants);
                    }
                    CompletableFuture<Set<LockGrant>> hanging = new CompletableFuture<>();
                    pending.add(() -> engine.renew(grants).whenComplete((lost, failure) -> {
                        if (failure != null) {
                            hanging.completeExceptionally(failure);
                        } else {
                            hanging.complete(lost);
                        }
                    }));
                    return hanging;
                }
            };
        }

        void thaw() {
            pending.forEach(Runnable::run);
            pending.clear();
        }
    }
}
