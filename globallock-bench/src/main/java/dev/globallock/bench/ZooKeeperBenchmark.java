/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * globallock's {@code zookeeper} engine side by side with Curator's {@code InterProcessMutex} and
 * the raw floors, in one run against one Debian ZooKeeper 3.8 server process. Uncontended floor: a
 * plain ZooKeeper client creating and deleting one ephemeral node. Handoff floor: the holder's
 * blocking delete of its node until another session's watch on it delivers the NodeDeleted event
 * to the waiting thread (no read after the event), timed like the libraries: from the start of
 * the release call to the waiter's thread returning from its lock call.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.ZooKeeperBenchmark [-Dexec.args="--no-fsync --seconds 3 --rounds 3"]
 * </pre>
 */
public final class ZooKeeperBenchmark {
    private static final String NAME = "bench";
    private static final int CONTENDED_THREADS = 8;

    private ZooKeeperBenchmark() {}

    public static void main(String[] args) throws Exception {
        boolean fsync = true;
        int seconds = 3;
        int handoffs = 100;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--no-fsync" -> fsync = false;
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--handoffs" -> handoffs = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "': use --no-fsync, --seconds N, --handoffs N, --rounds N");
            }
        }
        Duration warmup = Duration.ofSeconds(1);
        Duration measure = Duration.ofSeconds(seconds);
        Duration waiterWaits = Duration.ofMillis(20);
        BenchHarness bench = new BenchHarness("zookeeper");
        Map<String, List<BenchHarness.Result>> results = new LinkedHashMap<>();
        try (ZooKeeperBenchServer server = ZooKeeperBenchServer.start(fsync);
                Contenders contenders = new Contenders(server.connectString())) {
            System.out.println("server: " + server.description() + " at " + server.connectString());
            // The machine is shared: measure in rounds, rotating which library goes first, and
            // summarise each figure by its median over the rounds.
            List<String> libraries = List.of(RAW, GLOBALLOCK, CURATOR);
            for (int round = 1; round <= rounds; round++) {
                for (int k = 0; k < libraries.size(); k++) {
                    String library = libraries.get((k + round - 1) % libraries.size());
                    String label = library + " (round " + round + ")";
                    Contender c = contenders.of(library);
                    results.computeIfAbsent(library + "|u", x -> new ArrayList<>())
                            .add(bench.uncontended(label, c.uncontended, warmup, measure));
                    if (c.contended != null) {
                        results.computeIfAbsent(library + "|c", x -> new ArrayList<>())
                                .add(bench.contended(label, c.contended, warmup, measure));
                    }
                    results.computeIfAbsent(library + "|h", x -> new ArrayList<>())
                            .add(bench.handoff(label, c.holder, c.waiter, waiterWaits, handoffs));
                }
            }
            summarise(bench, results);
            String description = server.description();
            int measured = seconds;
            int roundCount = rounds;
            int handoffCount = handoffs;
            bench.finish(() ->
                    "ZooKeeper: " + description + "; " + Runtime.getRuntime().availableProcessors()
                            + " cores, Java " + Runtime.version() + "; " + roundCount + " rounds (the library order"
                            + " rotates), each " + measured + " s per throughput figure after a 1 s warm-up, "
                            + CONTENDED_THREADS + " threads over 2 clients contended (owner changes = acquisitions:"
                            + " both are FIFO), " + handoffCount + " handoffs with the waiter queued "
                            + waiterWaits.toMillis() + " ms; the summary rows are medians over the rounds");
        }
    }

    private static final String RAW = "raw ZooKeeper floor";
    private static final String GLOBALLOCK = "globallock";
    private static final String CURATOR = "Curator InterProcessMutex";

    /** The locks of one library: one client per BenchLock where the library needs it. */
    private record Contender(BenchLock uncontended, List<BenchLock> contended, BenchLock holder, BenchLock waiter) {}

    /** Every library's clients, opened once for all rounds. */
    private static final class Contenders implements AutoCloseable {
        private final ZooKeeper raw;
        private final ZooKeeper rawWaiter;
        private final List<GlobalLockManager> managers;
        private final List<CuratorFramework> clients;
        private final Map<String, Contender> byLibrary = new LinkedHashMap<>();

        Contenders(String connect) throws Exception {
            raw = rawClient(connect);
            raw.create("/floor", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            rawWaiter = rawClient(connect);
            // the floors: create + delete of one node; and for handoff, the holder's delete until
            // the watch of a waiter on another session fires (the waiter creates nothing). The
            // waiter holds as soon as the NodeDeleted event reaches it: no read after the event
            // (a re-arming exists would add a round trip that no lock needs after a deletion).
            BenchLock createDelete = () -> {
                raw.create("/floor/lock", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                return () -> raw.delete("/floor/lock", -1);
            };
            BenchLock deleteWatched = () -> {
                while (true) {
                    CompletableFuture<EventType> changed = new CompletableFuture<>();
                    if (rawWaiter.exists("/floor/lock", event -> changed.complete(event.getType())) == null) {
                        return () -> {};
                    }
                    if (changed.get() == EventType.NodeDeleted) {
                        return () -> {};
                    }
                }
            };
            byLibrary.put(RAW, new Contender(createDelete, null, createDelete, deleteWatched));

            managers = List.of(manager(connect), manager(connect));
            LockOptions forever = LockOptions.builder().waitForever().build();
            List<BenchLock> contended = new ArrayList<>();
            for (int t = 0; t < CONTENDED_THREADS; t++) {
                GlobalLockManager locks = managers.get(t % 2);
                contended.add(() -> locks.lock(NAME + "-c", forever));
            }
            byLibrary.put(
                    GLOBALLOCK,
                    new Contender(
                            () -> managers.get(0).lock(NAME + "-u", forever),
                            contended,
                            () -> managers.get(0).lock(NAME + "-h", forever),
                            () -> managers.get(1).lock(NAME + "-h", forever)));

            clients = List.of(curator(connect), curator(connect));
            List<BenchLock> mutexes = new ArrayList<>();
            for (int t = 0; t < CONTENDED_THREADS; t++) {
                mutexes.add(mutex(clients.get(t % 2), "/curator/c")); // thread-owned: one per thread
            }
            byLibrary.put(
                    CURATOR,
                    new Contender(
                            mutex(clients.get(0), "/curator/u"),
                            mutexes,
                            mutex(clients.get(0), "/curator/h"),
                            mutex(clients.get(1), "/curator/h")));
        }

        Contender of(String library) {
            return byLibrary.get(library);
        }

        @Override
        public void close() throws Exception {
            managers.forEach(GlobalLockManager::close);
            clients.forEach(CuratorFramework::close);
            raw.close();
            rawWaiter.close();
        }
    }

    private static void summarise(BenchHarness bench, Map<String, List<BenchHarness.Result>> results) {
        List<BenchHarness.Result> floor = results.get(RAW + "|u");
        List<BenchHarness.Result> mine = results.get(GLOBALLOCK + "|u");
        List<BenchHarness.Result> curator = results.get(CURATOR + "|u");
        bench.note(
                "**summary**",
                "uncontended lock+unlock ops/s, medians: floor (create+delete) / globallock / Curator;"
                        + " median of the per-round ratios to the floor",
                String.format(
                        Locale.ROOT,
                        "%.0f / %.0f (%.2fx) / %.0f (%.2fx)",
                        median(floor, r -> r.opsPerSecond),
                        median(mine, r -> r.opsPerSecond),
                        medianRatio(mine, floor, r -> r.opsPerSecond),
                        median(curator, r -> r.opsPerSecond),
                        medianRatio(curator, floor, r -> r.opsPerSecond)));
        List<BenchHarness.Result> mineContended = results.get(GLOBALLOCK + "|c");
        List<BenchHarness.Result> curatorContended = results.get(CURATOR + "|c");
        bench.note(
                "**summary**",
                CONTENDED_THREADS + " threads contended owner changes/s, medians: globallock / Curator;"
                        + " median per-round ratio",
                String.format(
                        Locale.ROOT,
                        "%.0f / %.0f (%.2fx)",
                        median(mineContended, r -> r.opsPerSecond),
                        median(curatorContended, r -> r.opsPerSecond),
                        medianRatio(mineContended, curatorContended, r -> r.opsPerSecond)));
        List<BenchHarness.Result> floorHandoff = results.get(RAW + "|h");
        List<BenchHarness.Result> mineHandoff = results.get(GLOBALLOCK + "|h");
        List<BenchHarness.Result> curatorHandoff = results.get(CURATOR + "|h");
        bench.note(
                "**summary**",
                "handoff p50, medians: floor (delete until the waiter's watch fires) / globallock / Curator;"
                        + " median per-round ratios globallock/Curator, floor/Curator, globallock/floor",
                String.format(
                        Locale.ROOT,
                        "%.2f ms / %.2f ms / %.2f ms (%.2fx Curator; floor %.2fx Curator; %.2fx floor)",
                        median(floorHandoff, r -> r.p50Micros) / 1000,
                        median(mineHandoff, r -> r.p50Micros) / 1000,
                        median(curatorHandoff, r -> r.p50Micros) / 1000,
                        medianRatio(mineHandoff, curatorHandoff, r -> r.p50Micros),
                        medianRatio(floorHandoff, curatorHandoff, r -> r.p50Micros),
                        medianRatio(mineHandoff, floorHandoff, r -> r.p50Micros)));
    }

    private static double medianRatio(
            List<BenchHarness.Result> a, List<BenchHarness.Result> b, ToDoubleFunction<BenchHarness.Result> value) {
        double[] ratios = new double[a.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = value.applyAsDouble(a.get(i)) / value.applyAsDouble(b.get(i));
        }
        java.util.Arrays.sort(ratios);
        return ratios[ratios.length / 2];
    }

    private static double median(List<BenchHarness.Result> results, ToDoubleFunction<BenchHarness.Result> value) {
        double[] values = results.stream().mapToDouble(value).sorted().toArray();
        return values[values.length / 2];
    }

    /** A globallock manager on the zookeeper engine at {@code connect}, default settings. */
    static GlobalLockManager manager(String connect) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("connect-string", connect);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", "zookeeper");
        config.put("zookeeper", section);
        return GlobalLockManager.create(config);
    }

    /** A started Curator client connected to {@code connect} (within 30 s). */
    static CuratorFramework curator(String connect) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(100, 3));
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Curator could not connect to " + connect);
        }
        return client;
    }

    /** A blocking lock on a Curator mutex; the returned closer releases it. */
    private static BenchLock mutex(CuratorFramework client, String path) {
        InterProcessMutex mutex = new InterProcessMutex(client, path);
        return () -> {
            mutex.acquire();
            return mutex::release;
        };
    }

    /** A plain ZooKeeper client connected to {@code connect} (within 30 s), for the floors. */
    static ZooKeeper rawClient(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30_000, event -> {
            if (event.getState() == KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("ZooKeeper could not connect to " + connect);
        }
        return zk;
    }
}
