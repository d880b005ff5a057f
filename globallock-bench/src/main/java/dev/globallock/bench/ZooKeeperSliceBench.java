package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Uncontended lock+unlock in short interleaved slices, for A/B comparisons on a noisy machine: each
 * cycle runs every contender for one slice (the order rotating), and each contender's rate is
 * divided by the floor's rate of the same cycle, so load that comes and goes over seconds cancels
 * out of the ratios. Also prints the lock and the unlock latency separately. Contenders: the raw
 * floor (blocking create + delete of one ephemeral node), a raw correct lock (ephemeral-sequential
 * create pipelined with a blocking listing, then delete), globallock's {@code lock} (the caller
 * runs its own calls), globallock's {@code lockAsync(...).get()} (the asynchronous path) and
 * Curator's {@code InterProcessMutex}.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.ZooKeeperSliceBench [-Dexec.args="CYCLES SLICE_MILLIS"]
 * </pre>
 */
public final class ZooKeeperSliceBench {
    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 400;
        try (ZooKeeperBenchServer server = ZooKeeperBenchServer.start(true)) {
            String connect = server.connectString();
            ZooKeeper raw = ZooKeeperBenchmark.rawClient(connect);
            raw.create("/floor", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("connect-string", connect);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("engine", "zookeeper");
            config.put("zookeeper", section);
            GlobalLockManager manager = GlobalLockManager.create(config);
            CuratorFramework curator = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(100, 3));
            curator.start();
            curator.blockUntilConnected(30, TimeUnit.SECONDS);
            InterProcessMutex mutex = new InterProcessMutex(curator, "/curator/u");
            LockOptions forever = LockOptions.builder().waitForever().build();
            Map<String, BenchLock> locks = new LinkedHashMap<>();
            locks.put("floor", () -> {
                raw.create("/floor/lock", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                return () -> raw.delete("/floor/lock", -1);
            });
            raw.create("/listed", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            locks.put("raw create+list", () -> {
                java.util.concurrent.CompletableFuture<String> created = new java.util.concurrent.CompletableFuture<>();
                raw.create(
                        "/listed/lock-",
                        new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL,
                        (rc, path, ctx, name, stat) -> created.complete(name),
                        null);
                List<String> children = raw.getChildren("/listed", false);
                String name = created.get();
                if (children.size() != 1) {
                    throw new IllegalStateException("contended: " + children);
                }
                return () -> raw.delete(name, -1);
            });
            locks.put("globallock", () -> manager.lock("slice", forever));
            locks.put("globallock lockAsync", () -> {
                LockHandle handle = manager.lockAsync("slice-a", forever).get();
                return handle;
            });
            locks.put("curator", () -> {
                mutex.acquire();
                return mutex::release;
            });
            List<String> names = new ArrayList<>(locks.keySet());
            Map<String, double[]> rates = new LinkedHashMap<>();
            names.forEach(n -> rates.put(n, new double[cycles]));
            for (String n : names) {
                run(locks.get(n), 1000);
            }
            for (int c = 0; c < cycles; c++) {
                for (int k = 0; k < names.size(); k++) {
                    String n = names.get((k + c) % names.size());
                    rates.get(n)[c] = run(locks.get(n), sliceMillis);
                }
            }
            double[] floor = rates.get("floor");
            for (String n : names) {
                double[] r = rates.get(n);
                double[] ratio = new double[cycles];
                for (int c = 0; c < cycles; c++) {
                    ratio[c] = r[c] / floor[c];
                }
                System.out.printf(
                        Locale.ROOT,
                        "%-18s ops/s median %.0f [q1 %.0f q3 %.0f]  ratio to floor median %.3f [q1 %.3f q3 %.3f]%n",
                        n,
                        q(r, 0.5),
                        q(r, 0.25),
                        q(r, 0.75),
                        q(ratio, 0.5),
                        q(ratio, 0.25),
                        q(ratio, 0.75));
                System.out.println("    " + splits(locks.get(n)));
            }
            manager.close();
            curator.close();
            raw.close();
        }
    }

    private static double q(double[] values, double quantile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))];
    }

    static final Map<BenchLock, long[][]> SPLITS = new java.util.HashMap<>();
    static final Map<BenchLock, int[]> COUNTS = new java.util.HashMap<>();

    private static double run(BenchLock lock, long millis) throws Exception {
        long[][] splits = SPLITS.computeIfAbsent(lock, k -> new long[2][1 << 20]);
        int[] n = COUNTS.computeIfAbsent(lock, k -> new int[1]);
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
        int count = 0;
        long now;
        do {
            long t0 = System.nanoTime();
            AutoCloseable held = lock.lock();
            long t1 = System.nanoTime();
            held.close();
            now = System.nanoTime();
            if (n[0] < splits[0].length) {
                splits[0][n[0]] = t1 - t0;
                splits[1][n[0]] = now - t1;
                n[0]++;
            }
            count++;
        } while (now < end);
        return count / ((now - start) / 1e9);
    }

    static String splits(BenchLock lock) {
        long[][] s = SPLITS.get(lock);
        int n = COUNTS.get(lock)[0];
        long[] a = Arrays.copyOf(s[0], n);
        long[] b = Arrays.copyOf(s[1], n);
        Arrays.sort(a);
        Arrays.sort(b);
        return String.format(
                Locale.ROOT,
                "lock p50 %d µs p25 %d, unlock p50 %d µs p25 %d",
                a[n / 2] / 1000,
                a[n / 4] / 1000,
                b[n / 2] / 1000,
                b[n / 4] / 1000);
    }
}
