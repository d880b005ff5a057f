/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * globallock's {@code redis} engine side by side with Redisson's {@code RLock} and a raw-Jedis floor
 * (SET NX PX plus a compare-and-delete script, polling every 200 µs while taken, nothing else), in
 * one run against one local redis-server started by the fixture.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.RedisBenchmark [-Dexec.args="--seconds 3 --handoffs 100 --held 10000 --rounds 3"]
 * </pre>
 */
public final class RedisBenchmark {
    private static final int CONTENDED_THREADS = 8;
    private static final int CLIENTS = 2;
    private static final String GLOBALLOCK = "globallock";
    private static final String REDISSON = "Redisson RLock";
    private static final String FLOOR = "raw Jedis floor";

    private RedisBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = 3;
        int handoffs = 100;
        int held = 10_000;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--handoffs" -> handoffs = Integer.parseInt(args[++i]);
                case "--held" -> held = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument '" + args[i] + "': use --seconds N, --handoffs N, --held N, --rounds N");
            }
        }
        Duration warmup = Duration.ofSeconds(1);
        Duration measure = Duration.ofSeconds(seconds);
        Duration waiterWaits = Duration.ofMillis(20);
        BenchHarness bench = new BenchHarness("redis");
        List<String> notes = new ArrayList<>();
        try (RedisServer server = RedisServer.start();
                RedisClient admin = RedisClient.create(server.host(), server.port())) {
            List<GlobalLockManager> managers = new ArrayList<>();
            List<RedissonClient> redissons = new ArrayList<>();
            List<RedisClient> raws = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    managers.add(GlobalLockManager.create(
                            Map.of("engine", "redis", "redis", Map.of("nodes", List.of(server.uri())))));
                    Config config = new Config();
                    config.useSingleServer().setAddress(server.uri());
                    redissons.add(Redisson.create(config));
                    raws.add(RedisClient.create(server.host(), server.port()));
                }
                String releaseSha = admin.scriptLoad(RawLock.RELEASE);

                // uncontended: one thread, one client, its own key. The machine is shared: measure in
                // rounds, rotating which library goes first, after one untimed pass each (the JIT).
                Map<String, BenchLock> alone = new LinkedHashMap<>();
                alone.put(GLOBALLOCK, globallock(managers.get(0), "u-globallock"));
                alone.put(REDISSON, redisson(redissons.get(0), "u-redisson"));
                alone.put(FLOOR, new RawLock(raws.get(0), "u-raw", releaseSha));
                List<String> libraries = List.copyOf(alone.keySet());
                for (String library : libraries) {
                    new BenchHarness("redis-warmup")
                            .uncontended(library + " (warm-up)", alone.get(library), warmup.multipliedBy(3), warmup);
                }
                Map<String, List<BenchHarness.Result>> results = new LinkedHashMap<>();
                for (int round = 1; round <= rounds; round++) {
                    for (int k = 0; k < libraries.size(); k++) {
                        String library = libraries.get((k + round - 1) % libraries.size());
                        results.computeIfAbsent(library, l -> new ArrayList<>())
                                .add(bench.uncontended(
                                        library + " (round " + round + ")", alone.get(library), warmup, measure));
                    }
                }
                bench.note(
                        "summary",
                        "uncontended lock+unlock ops/s, medians: globallock / Redisson RLock / floor; median per-round"
                                + " ratios globallock/floor and globallock/Redisson",
                        String.format(
                                Locale.ROOT,
                                "%.0f / %.0f / %.0f; %.2f and %.2f",
                                BenchHarness.medianOps(results.get(GLOBALLOCK)),
                                BenchHarness.medianOps(results.get(REDISSON)),
                                BenchHarness.medianOps(results.get(FLOOR)),
                                BenchHarness.medianRatio(results.get(GLOBALLOCK), results.get(FLOOR)),
                                BenchHarness.medianRatio(results.get(GLOBALLOCK), results.get(REDISSON))));

                // contended: 8 threads over 2 clients on one key
                List<BenchLock> g = new ArrayList<>();
                List<BenchLock> r = new ArrayList<>();
                List<BenchLock> f = new ArrayList<>();
                for (int t = 0; t < CONTENDED_THREADS; t++) {
                    g.add(globallock(managers.get(t % CLIENTS), "c-globallock"));
                    r.add(redisson(redissons.get(t % CLIENTS), "c-redisson"));
                    f.add(new RawLock(raws.get(t % CLIENTS), "c-raw", releaseSha));
                }
                bench.contended("globallock", g, warmup, measure);
                bench.contended("Redisson RLock", r, warmup, measure);
                bench.contended("raw Jedis floor", f, warmup, measure);

                // handoff: release by one client to the waiter of the other holding it
                bench.handoff(
                        "globallock",
                        globallock(managers.get(0), "h-globallock"),
                        globallock(managers.get(1), "h-globallock"),
                        waiterWaits,
                        handoffs);
                bench.handoff(
                        "Redisson RLock",
                        redisson(redissons.get(0), "h-redisson"),
                        redisson(redissons.get(1), "h-redisson"),
                        waiterWaits,
                        handoffs);
                bench.handoff(
                        "raw Jedis floor",
                        new RawLock(raws.get(0), "h-raw", releaseSha),
                        new RawLock(raws.get(1), "h-raw", releaseSha),
                        waiterWaits,
                        handoffs);
            } finally {
                managers.forEach(GlobalLockManager::close);
                redissons.forEach(RedissonClient::shutdown);
                raws.forEach(RedisClient::close);
            }

            // round trips to keep many watchdog locks alive for one period
            Duration watchdogLease = Duration.ofSeconds(3);
            try (GlobalLockManager manager = GlobalLockManager.builder()
                    .config(Map.of("engine", "redis", "redis", Map.of("nodes", List.of(server.uri()))))
                    .watchdogLease(watchdogLease)
                    .build()) {
                List<LockHandle> handles = new ArrayList<>(held);
                for (int i = 0; i < held; i++) {
                    handles.add(manager.lock("held-" + i));
                }
                double perPeriod = commandsPerPeriod(admin, watchdogLease);
                bench.note(
                        "globallock",
                        "renewal round trips for " + held + " watchdog locks, per period",
                        fmt(perPeriod));
                handles.forEach(LockHandle::close);
            }
            Config config = new Config();
            config.useSingleServer().setAddress(server.uri());
            config.setLockWatchdogTimeout(watchdogLease.toMillis());
            RedissonClient redisson = Redisson.create(config);
            try {
                List<RLock> locks = new ArrayList<>(held);
                for (int i = 0; i < held; i++) {
                    RLock lock = redisson.getLock("r-held-" + i);
                    lock.lock();
                    locks.add(lock);
                }
                double perPeriod = commandsPerPeriod(admin, watchdogLease);
                bench.note(
                        "Redisson RLock",
                        "renewal round trips for " + held + " watchdog locks, per period",
                        fmt(perPeriod));
                locks.forEach(RLock::unlock);
            } finally {
                redisson.shutdown();
            }
            notes.add("redis-server "
                    + admin.info("server")
                            .lines()
                            .filter(l -> l.startsWith("redis_version:"))
                            .findFirst()
                            .map(l -> l.substring("redis_version:".length()).trim())
                            .orElse("?")
                    + " on loopback, " + Runtime.getRuntime().availableProcessors() + " CPUs, JDK "
                    + Runtime.version());
        }
        int s = seconds;
        int rs = rounds;
        int h = handoffs;
        bench.finish(() -> "### redis: globallock vs Redisson RLock vs raw Jedis\n\n" + String.join("\n", notes)
                + "; " + s
                + " s per throughput figure after a 1 s warm-up; uncontended in " + rs
                + " rounds rotating the order after a 3 s warm-up each; handoff: the waiter waited "
                + waiterWaits.toMillis() + " ms, " + h + " samples; the raw floor polls every 200 µs.");
    }

    /**
     * Script calls (EVAL, EVALSHA) the server ran per watchdog period (lease / 3), over three periods:
     * both libraries renew with scripts, one call per round trip. Commands run inside the scripts
     * are not round trips and are not counted.
     */
    private static double commandsPerPeriod(RedisClient admin, Duration watchdogLease) throws InterruptedException {
        Duration period = watchdogLease.dividedBy(3);
        Thread.sleep(period.toMillis()); // let acquisitions settle into the renewal rhythm
        long before = scriptCalls(admin);
        Thread.sleep(period.multipliedBy(3).toMillis());
        long after = scriptCalls(admin);
        return (after - before) / 3.0;
    }

    private static long scriptCalls(RedisClient admin) {
        return admin.info("commandstats")
                .lines()
                .filter(l -> l.startsWith("cmdstat_eval"))
                .mapToLong(l -> {
                    String calls = l.substring(l.indexOf("calls=") + "calls=".length());
                    return Long.parseLong(calls.substring(0, calls.indexOf(',')));
                })
                .sum();
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static BenchLock globallock(GlobalLockManager manager, String name) {
        return () -> manager.lock(name);
    }

    static BenchLock redisson(RedissonClient client, String name) {
        return () -> {
            RLock lock = client.getLock(name);
            lock.lock();
            return lock::unlock;
        };
    }

    /** The floor: SET NX PX with a random token, polling while taken, compare-and-delete to release. */
    static final class RawLock implements BenchLock {
        static final String RELEASE =
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        private final RedisClient jedis;
        private final String key;
        private final String releaseSha;

        RawLock(RedisClient jedis, String key, String releaseSha) {
            this.jedis = jedis;
            this.key = key;
            this.releaseSha = releaseSha;
        }

        @Override
        public AutoCloseable lock() {
            String token = Long.toHexString(ThreadLocalRandom.current().nextLong());
            SetParams params = SetParams.setParams().nx().px(30_000);
            while (!"OK".equals(jedis.set(key, token, params))) {
                LockSupport.parkNanos(200_000);
            }
            return () -> jedis.evalsha(releaseSha, List.of(key), List.of(token));
        }
    }
}
