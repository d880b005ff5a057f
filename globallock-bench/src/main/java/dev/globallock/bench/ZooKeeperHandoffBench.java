/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockOptions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Handoff latency of the raw floor, globallock and Curator's {@code InterProcessMutex} interleaved
 * sample by sample (the order rotating), on an fsync'ing Debian ZooKeeper 3.8 process, so that
 * load which comes and goes over seconds hits the three alike; after a warm-up of uncontended
 * cycles, so that the measured code is compiled as it is in {@link ZooKeeperBenchmark}'s handoff
 * (which runs after the throughput figures). Each sample is timed like {@link
 * BenchHarness#handoff}: a holder on this thread, a waiter (another session) queued 20 ms, from
 * the start of the release call to the waiter's thread returning from its lock call. For the floor
 * (blocking delete; the waiter's exists-watch hands the NodeDeleted event to the waiting thread) it
 * also prints the delete's round trip, when the event reached the waiter's event thread and when
 * the waiting thread woke; for the libraries, how long the holder's release call took.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.ZooKeeperHandoffBench [-Dexec.args="SAMPLES WARMUP_CYCLES"]
 * </pre>
 */
public final class ZooKeeperHandoffBench {
    private static final long QUEUED_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ZooKeeperHandoffBench() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        try (ZooKeeperBenchServer server = ZooKeeperBenchServer.start(true)) {
            String connect = server.connectString();
            ZooKeeper holder = ZooKeeperBenchmark.rawClient(connect);
            ZooKeeper waiter = ZooKeeperBenchmark.rawClient(connect);
            holder.create("/floor", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            GlobalLockManager mine = ZooKeeperBenchmark.manager(connect);
            GlobalLockManager theirs = ZooKeeperBenchmark.manager(connect);
            CuratorFramework curator = ZooKeeperBenchmark.curator(connect);
            CuratorFramework curatorWaiter = ZooKeeperBenchmark.curator(connect);
            InterProcessMutex mutex = new InterProcessMutex(curator, "/curator/h");
            InterProcessMutex waitingMutex = new InterProcessMutex(curatorWaiter, "/curator/h");
            LockOptions forever = LockOptions.builder().waitForever().build();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Map<String, long[]> figures = new LinkedHashMap<>();
            for (String name : List.of(
                    "floor",
                    "globallock",
                    "curator",
                    "floor: delete round trip",
                    "floor: event on the waiter's event thread",
                    "floor: waiting thread awake after the event",
                    "globallock: release call",
                    "curator: release call")) {
                figures.put(name, new long[samples]);
            }
            for (int i = 0; i < warmup; i++) {
                holder.create("/floor/lock", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                holder.delete("/floor/lock", -1);
                mine.lock("warm-up", forever).close();
                mutex.acquire();
                mutex.release();
            }
            for (int i = -3; i < samples; i++) {
                for (int k = 0; k < 3; k++) {
                    int library = Math.floorMod(i + k, 3);
                    long[] t = new long[4]; // release starts, release returns, event, waiter holds
                    if (library == 0) {
                        holder.create("/floor/lock", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                        CountDownLatch watching = new CountDownLatch(1);
                        Future<Long> holds = pool.submit(() -> {
                            CompletableFuture<EventType> changed = new CompletableFuture<>();
                            if (waiter.exists("/floor/lock", event -> {
                                        t[2] = System.nanoTime();
                                        changed.complete(event.getType());
                                    })
                                    == null) {
                                throw new IllegalStateException("the holder's node is gone before the release");
                            }
                            watching.countDown();
                            if (changed.get() != EventType.NodeDeleted) {
                                throw new IllegalStateException("unexpected event: " + changed.get());
                            }
                            return System.nanoTime();
                        });
                        watching.await();
                        TimeUnit.NANOSECONDS.sleep(QUEUED_NANOS);
                        t[0] = System.nanoTime();
                        holder.delete("/floor/lock", -1);
                        t[1] = System.nanoTime();
                        t[3] = holds.get(60, TimeUnit.SECONDS);
                    } else {
                        AutoCloseable held;
                        BenchLock waiting;
                        if (library == 1) {
                            held = mine.lock("handoff", forever);
                            waiting = () -> theirs.lock("handoff", forever);
                        } else {
                            mutex.acquire();
                            held = mutex::release;
                            waiting = () -> {
                                waitingMutex.acquire();
                                return waitingMutex::release;
                            };
                        }
                        CountDownLatch started = new CountDownLatch(1);
                        Future<Long> holds = pool.submit(() -> {
                            started.countDown();
                            try (AutoCloseable got = waiting.lock()) {
                                return System.nanoTime();
                            }
                        });
                        started.await();
                        TimeUnit.NANOSECONDS.sleep(QUEUED_NANOS);
                        t[0] = System.nanoTime();
                        held.close();
                        t[1] = System.nanoTime();
                        t[3] = holds.get(60, TimeUnit.SECONDS);
                    }
                    if (i < 0) {
                        continue;
                    }
                    String name = List.of("floor", "globallock", "curator").get(library);
                    figures.get(name)[i] = t[3] - t[0];
                    if (library == 0) {
                        figures.get("floor: delete round trip")[i] = t[1] - t[0];
                        figures.get("floor: event on the waiter's event thread")[i] = t[2] - t[0];
                        figures.get("floor: waiting thread awake after the event")[i] = t[3] - t[2];
                    } else {
                        figures.get(name + ": release call")[i] = t[1] - t[0];
                    }
                }
            }
            pool.shutdownNow();
            System.out.printf(
                    Locale.ROOT,
                    "%d handoffs each, interleaved, after %d uncontended warm-up cycles each; waiter queued 20 ms%n",
                    samples,
                    warmup);
            figures.forEach((name, values) -> System.out.printf(
                    Locale.ROOT,
                    "%-45s p50 %5d µs  [p25 %5d, p75 %5d]%n",
                    name,
                    quantile(values, 0.5) / 1000,
                    quantile(values, 0.25) / 1000,
                    quantile(values, 0.75) / 1000));
            double floor = quantile(figures.get("floor"), 0.5);
            double globallock = quantile(figures.get("globallock"), 0.5);
            double curatorP50 = quantile(figures.get("curator"), 0.5);
            System.out.printf(
                    Locale.ROOT,
                    "p50 ratios: globallock/Curator %.2fx, floor/Curator %.2fx, globallock/floor %.2fx%n",
                    globallock / curatorP50,
                    floor / curatorP50,
                    globallock / floor);
            mine.close();
            theirs.close();
            curator.close();
            curatorWaiter.close();
            holder.close();
            waiter.close();
        }
    }

    private static long quantile(long[] values, double quantile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))];
    }
}
