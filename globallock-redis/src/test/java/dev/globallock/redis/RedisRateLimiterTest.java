/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.RateLimiter;
import dev.globallock.tck.GrantLog;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.JedisClusterCRC16;

@DisplayName("redis engine, single server: the rate limiter's scripts, keys, clock and round trips")
class RedisRateLimiterTest {
    private static RedisServer redis;
    private static RedisClient admin;

    @BeforeAll
    static void startServer() {
        redis = RedisServer.start();
        admin = RedisClient.create(redis.host(), redis.port());
    }

    @AfterAll
    static void stopServer() {
        if (admin != null) {
            admin.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static GlobalLockManager manager(RedisServer server, String prefix) {
        return GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "redis", "key-prefix", prefix, "redis", Map.of("nodes", List.of(server.uri()))))
                .build();
    }

    private static String prefix() {
        return "rate-" + UUID.randomUUID() + ":";
    }

    /** The commands the scripts call: the server counts them in its command statistics too. */
    private static final Set<String> IN_SCRIPTS =
            Set.of("time", "zremrangebyscore", "zcard", "zadd", "pexpire", "zrange", "hmget", "hset");

    /** Calls per command but INFO, from {@code INFO commandstats}. */
    private static Map<String, Long> commands() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : admin.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String count = line.substring(line.indexOf("calls=") + 6);
                calls.put(name, Long.parseLong(count.substring(0, count.indexOf(','))));
            }
        }
        return calls;
    }

    /** The commands clients sent between two readings: script calls, and any other command but those scripts call. */
    private static long sent(Map<String, Long> before, Map<String, Long> after) {
        long sent = 0;
        for (Map.Entry<String, Long> command : after.entrySet()) {
            long delta = command.getValue() - before.getOrDefault(command.getKey(), 0L);
            if (delta > 0 && !IN_SCRIPTS.contains(command.getKey())) {
                sent += delta;
            }
        }
        return sent;
    }

    @Test
    @DisplayName("8 threads on two managers: never more than the limit in any window, admitting again as it slides")
    void eightThreadsOnTwoManagers() throws Exception {
        String prefix = prefix();
        try (GlobalLockManager one = manager(redis, prefix);
                GlobalLockManager two = manager(redis, prefix)) {
            int permits = 20;
            Duration window = Duration.ofMillis(500);
            List<RateLimiter> limiters = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                limiters.add((t % 2 == 0 ? one : two).rateLimiter("hammered", permits, window));
            }
            Duration run = Duration.ofMillis(2_000);
            GrantLog log = GrantLog.hammer(limiters, run);
            log.assertNeverMoreThan(permits, window);
            assertThat(log.grants())
                    .as("admitted again in every window the run spanned")
                    .isGreaterThanOrEqualTo(permits * (int) (run.toMillis() / window.toMillis()))
                    .isLessThanOrEqualTo(permits * (int) (run.toMillis() / window.toMillis() + 2));
            assertThat(log.refusals()).isPositive();
        }
    }

    @Test
    @DisplayName("one round trip per tryAcquire, tryAcquire(n) and read, for both algorithms, after the first")
    void oneRoundTripPerCall() {
        try (GlobalLockManager manager = manager(redis, prefix())) {
            for (RateLimiter.Algorithm algorithm : RateLimiter.Algorithm.values()) {
                RateLimiter limiter =
                        manager.rateLimiter("counted-" + algorithm, 1_000, Duration.ofMinutes(1), algorithm);
                limiter.tryAcquire(); // loads the script on the server (EVALSHA, then EVAL once)
                Map<String, Long> before = commands();
                int calls = 0;
                for (int i = 0; i < 50; i++) {
                    assertThat(limiter.tryAcquire()).isTrue();
                    assertThat(limiter.tryAcquire(3)).isTrue();
                    assertThat(limiter.availablePermits()).isPositive();
                    assertThat(limiter.timeUntilAvailable(2)).isZero();
                    calls += 4;
                }
                assertThat(sent(before, commands()))
                        .as("commands the server ran for " + calls + " calls, " + algorithm)
                        .isEqualTo(calls);
            }
        }
    }

    @Test
    @DisplayName("a refusal is remembered: as many permits or more are refused without a command until they could fit;"
            + " fewer permits and reads still ask")
    void refusalsWithinTheReportedTimeSendNothing() throws Exception {
        try (GlobalLockManager manager = manager(redis, prefix())) {
            for (RateLimiter.Algorithm algorithm : RateLimiter.Algorithm.values()) {
                RateLimiter limiter = manager.rateLimiter("refused-" + algorithm, 3, Duration.ofMinutes(1), algorithm);
                assertThat(limiter.tryAcquire(2)).isTrue();
                Map<String, Long> before = commands();
                assertThat(limiter.tryAcquire(2)).as("full for 2").isFalse();
                assertThat(sent(before, commands()))
                        .as("the refusal itself: one command")
                        .isEqualTo(1);

                before = commands();
                for (int i = 0; i < 20; i++) {
                    assertThat(limiter.tryAcquire(2)).isFalse();
                }
                assertThat(limiter.tryAcquire(3)).isFalse();
                assertThat(limiter.tryAcquire(2, Duration.ofSeconds(1))).isFalse();
                assertThat(limiter.tryAcquireAsync(3, Duration.ZERO).get(5, TimeUnit.SECONDS))
                        .isFalse();
                assertThat(sent(before, commands()))
                        .as("23 refusals of 2 or more permits within the minute, " + algorithm)
                        .isZero();

                before = commands();
                assertThat(limiter.tryAcquire(1)).as("1 permit still fits").isTrue();
                assertThat(limiter.availablePermits()).isZero();
                assertThat(sent(before, commands()))
                        .as("fewer permits than refused, and a read: asked")
                        .isEqualTo(2);
            }
        }
    }

    @Test
    @DisplayName("once the reported time passed, the limiter asks again and is granted as the window slid")
    void asksAgainOnceTheReportedTimePassed() {
        try (GlobalLockManager manager = manager(redis, prefix())) {
            RateLimiter limiter = manager.rateLimiter("slides", 2, Duration.ofMillis(500));
            assertThat(limiter.tryAcquire(2)).isTrue();
            assertThat(limiter.tryAcquire()).isFalse();
            Map<String, Long> before = commands();
            AtomicInteger polls = new AtomicInteger();
            Await.until(
                    Duration.ofSeconds(5),
                    () -> {
                        polls.incrementAndGet();
                        return limiter.tryAcquire();
                    },
                    () -> "a permit once the window slid");
            assertThat(sent(before, commands()))
                    .as("the polls before the permit could fit were answered here; " + polls + " polls")
                    .isBetween(1L, 3L);
        }
    }

    @Test
    @DisplayName("the exact log is stamped with the server's TIME in microseconds, never the client's clock")
    void serverClock() {
        String prefix = prefix();
        try (GlobalLockManager manager = manager(redis, prefix)) {
            RateLimiter limiter = manager.rateLimiter("clock", 5, Duration.ofMinutes(1));
            List<String> before = serverTime();
            assertThat(limiter.tryAcquire(2)).isTrue();
            List<String> after = serverTime();
            List<Tuple> log = admin.zrangeWithScores(
                    RedisRateLimiter.keyOf(prefix + "clock", RateLimiter.Algorithm.EXACT), 0, -1);
            assertThat(log).hasSize(2);
            for (Tuple entry : log) {
                assertThat((long) entry.getScore())
                        .as("stamped between two TIME readings of the server")
                        .isBetween(micros(before), micros(after));
            }
        }
    }

    private static List<String> serverTime() {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            return jedis.time();
        }
    }

    private static long micros(List<String> time) {
        return Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
    }

    @Test
    @DisplayName(
            "a limiter's key expires once idle: one window after the exact log's newest entry, two for the counters")
    void keysExpire() {
        String prefix = prefix();
        try (GlobalLockManager manager = manager(redis, prefix)) {
            Duration window = Duration.ofMillis(300);
            String exact = RedisRateLimiter.keyOf(prefix + "idle", RateLimiter.Algorithm.EXACT);
            String approximate = RedisRateLimiter.keyOf(prefix + "idle", RateLimiter.Algorithm.APPROXIMATE);
            assertThat(manager.rateLimiter("idle", 3, window).tryAcquire()).isTrue();
            assertThat(manager.rateLimiter("idle", 3, window, RateLimiter.Algorithm.APPROXIMATE)
                            .tryAcquire())
                    .isTrue();
            assertThat(admin.pttl(exact)).isPositive().isLessThanOrEqualTo(window.toMillis() + 1);
            assertThat(admin.pttl(approximate)).isPositive().isLessThanOrEqualTo(2 * window.toMillis() + 1);
            Await.until(
                    Duration.ofSeconds(5),
                    () -> !admin.exists(exact) && !admin.exists(approximate),
                    () -> "both keys to expire");
            assertThat(manager.rateLimiter("idle", 3, window).availablePermits())
                    .as("reading an idle limiter writes nothing")
                    .isEqualTo(3);
            assertThat(admin.exists(exact)).isFalse();
        }
    }

    @Test
    @DisplayName("a limiter's keys share the hash slot of the lock of the same name (one slot on a cluster)")
    void oneSlotWithTheLock() {
        for (String key : List.of("plain", "with{braces}", "{whole}", "50%{", "ünïcode")) {
            int lockSlot = JedisClusterCRC16.getSlot(LockKeys.of(key).lock);
            for (RateLimiter.Algorithm algorithm : RateLimiter.Algorithm.values()) {
                String rateKey = RedisRateLimiter.keyOf(key, algorithm);
                assertThat(JedisClusterCRC16.getSlot(rateKey)).as(rateKey).isEqualTo(lockSlot);
                assertThat(rateKey).startsWith(LockKeys.of(key).lock + ":");
            }
        }
    }

    @Test
    @DisplayName("a restart without persistence: the next call works (on a new connection) and the history is gone")
    void restart() {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager manager = manager(own, prefix())) {
            RateLimiter limiter = manager.rateLimiter("restarted", 2, Duration.ofMinutes(1));
            assertThat(limiter.tryAcquire(2)).isTrue();
            assertThat(limiter.tryAcquire()).isFalse();

            own.process().restart();

            // a new handle: the one refused above remembers that refusal (see below)
            RateLimiter fresh = manager.rateLimiter("restarted", 2, Duration.ofMinutes(1));
            assertThat(fresh.tryAcquire())
                    .as("the first call after the restart: the stale pooled connection is replaced, history forgotten")
                    .isTrue();
            assertThat(fresh.availablePermits()).isEqualTo(1);
            assertThat(limiter.tryAcquire())
                    .as("the handle refused before the restart refuses until the permit could fit by the old history:"
                            + " it errs on refusing, never admits more")
                    .isFalse();
            assertThat(limiter.availablePermits())
                    .as("its reads ask the server")
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a password: used by the limiters' own connections, never shown when it is wrong")
    void password() {
        String secret = "r4te-s3cret";
        try (RedisServer secured =
                RedisServer.start(RedisServer.Options.builder().password(secret).build())) {
            Map<String, Object> good = Map.of("nodes", List.of(secured.uri()), "password", secret);
            try (GlobalLockManager manager = GlobalLockManager.create(Map.of("engine", "redis", "redis", good))) {
                RateLimiter limiter = manager.rateLimiter("secured", 2, Duration.ofSeconds(10));
                assertThat(limiter.tryAcquire()).isTrue();
                assertThat(limiter.toString()).doesNotContain(secret);
            }
            Map<String, Object> wrong = Map.of("nodes", List.of(secured.uri()), "password", "not-" + secret);
            try (GlobalLockManager manager = GlobalLockManager.create(Map.of("engine", "redis", "redis", wrong))) {
                Throwable refused = catchThrowable(() -> manager.rateLimiter("secured", 2, Duration.ofSeconds(10))
                        .tryAcquire());
                assertThat(refused)
                        .isInstanceOf(LockBackendException.class)
                        .hasMessageStartingWith("engine 'redis' at " + secured.uri())
                        .hasMessageContaining("rate limiter 'secured'")
                        .hasMessageContaining("WRONGPASS");
                StringWriter trace = new StringWriter();
                refused.printStackTrace(new PrintWriter(trace));
                assertThat(trace.toString()).doesNotContain(secret);
            }
        }
    }
}
