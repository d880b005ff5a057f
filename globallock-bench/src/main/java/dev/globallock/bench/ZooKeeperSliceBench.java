/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Uncontended lock+unlock on ZooKeeper in short interleaved slices ({@link InterleavedSlices}). Contenders: the raw
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
            GlobalLockManager manager = ZooKeeperBenchmark.manager(connect);
            CuratorFramework curator = ZooKeeperBenchmark.curator(connect);
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
            new InterleavedSlices(locks).run(8000, cycles, sliceMillis);
            manager.close();
            curator.close();
            raw.close();
        }
    }
}
