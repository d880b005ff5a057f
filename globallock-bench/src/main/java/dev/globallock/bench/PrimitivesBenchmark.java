/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockReadWrite;
import dev.globallock.LockSemaphore;
import dev.globallock.bench.PrimitiveMeasures.Handoffs;
import dev.globallock.bench.PrimitiveMeasures.Library;
import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.redisson.Redisson;
import org.redisson.api.RPermitExpirableSemaphore;
import org.redisson.api.RReadWriteLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Semaphores and read-write locks (issue 15), per engine, in one run against one server each:
 * semaphore acquire + release and read-lock acquire + release (one thread, uncontended, ops/s),
 * and the handoff from a releasing reader to a writer waiting in its lock call (p50 and p99), for
 * globallock and the engine's Java peer: Redisson's {@code RPermitExpirableSemaphore} and {@code
 * RReadWriteLock} on Redis, Curator's {@code InterProcessSemaphoreV2} and {@code
 * InterProcessReadWriteLock} on ZooKeeper; etcd and the file engine have no Java peer ("—").
 * Every engine's reader and writer are two managers (two clients) on one server; the
 * uncontended figures use {@code tryAcquire}/{@code tryLock} and the peers' one-attempt forms.
 * Prints a Markdown table and writes it to {@code target/bench/primitives.md}.
 *
 * <p>Bounded: per engine and library, two throughput figures of {@code --warm-up-seconds} (default
 * 1) + {@code --seconds} each (the libraries interleaved in 250 ms slices), then at most {@code --handoffs} interleaved
 * handoffs per library after 10 warm-up ones, stopped after {@code --handoff-seconds}. ZooKeeper is an fsync'ing server in its own JVM ({@link
 * ZooKeeperBenchServer}) unless {@code --no-fsync}; Redis and etcd are the tck fixtures; the file
 * engine uses a temporary directory with fsync on.
 *
 * <pre>
 * mvn -q -o -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.PrimitivesBenchmark \
 *     [-Dexec.args="--engine redis,zookeeper,etcd,file --seconds 3 --warm-up-seconds 1 --handoffs 200 --handoff-seconds 30 --no-fsync"]
 * </pre>
 *
 * <p>etcd's path warms up slowly at etcd's pace (a few hundred cycles a second: the JIT needs
 * thousands): give it {@code --warm-up-seconds 10}, or the figure measured first (the semaphore's)
 * comes out low.
 *
 * <pre>
 * </pre>
 */
public final class PrimitivesBenchmark {
    private static final int PERMITS = 3;
    private static final List<String> ENGINES = List.of("redis", "zookeeper", "etcd", "file");
    private static final LockOptions BOUNDED =
            LockOptions.builder().waitTime(Duration.ofSeconds(10)).build();
    private static final LockOptions FOREVER =
            LockOptions.builder().waitForever().build();

    private PrimitivesBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<String> engines = ENGINES;
        int seconds = 3;
        int warmUpSeconds = 1;
        int handoffs = 200;
        int handoffSeconds = 30;
        boolean fsync = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--engine" -> engines = engines(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warm-up-seconds" -> warmUpSeconds = Integer.parseInt(args[++i]);
                case "--handoffs" -> handoffs = Integer.parseInt(args[++i]);
                case "--handoff-seconds" -> handoffSeconds = Integer.parseInt(args[++i]);
                case "--no-fsync" -> fsync = false;
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument '" + args[i] + "': use --engine " + String.join(",", ENGINES)
                                    + ", --seconds N, --warm-up-seconds N, --handoffs N, --handoff-seconds N, --no-fsync");
            }
        }
        List<String> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        rows.add("| engine | peer | measure | globallock | peer |");
        rows.add("|---|---|---|---:|---:|");
        for (String engine : engines) {
            Deque<AutoCloseable> open = new ArrayDeque<>();
            try {
                List<Library> libraries =
                        switch (engine) {
                            case "redis" -> redis(open);
                            case "zookeeper" -> zookeeper(open, fsync, notes);
                            case "etcd" -> etcd(open);
                            default -> file(open);
                        };
                measure(
                        engine,
                        libraries,
                        Duration.ofSeconds(warmUpSeconds),
                        Duration.ofSeconds(seconds),
                        handoffs,
                        handoffSeconds,
                        rows,
                        notes);
            } finally {
                closeAll(open);
            }
        }
        String table = String.join("\n", rows) + "\n\n" + String.join("\n", notes) + "\n";
        System.out.println();
        System.out.println(table);
        Path out = Path.of("target", "bench", "primitives.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table, StandardCharsets.UTF_8);
    }

    private static List<String> engines(String value) {
        if (value.equals("all")) {
            return ENGINES;
        }
        List<String> engines = List.of(value.split(","));
        for (String engine : engines) {
            if (!ENGINES.contains(engine)) {
                throw new IllegalArgumentException("--engine was '" + value + "' but it names no engine of "
                        + String.join(",", ENGINES) + " or all");
            }
        }
        return engines;
    }

    private static void measure(
            String engine,
            List<Library> libraries,
            Duration warmUp,
            Duration measure,
            int handoffs,
            int handoffSeconds,
            List<String> rows,
            List<String> notes)
            throws Exception {
        String peer = libraries.size() > 1 ? libraries.get(1).name() : "—";
        List<String> names =
                libraries.stream().map(l -> engine + ", " + l.name()).toList();
        double[] semaphores = PrimitiveMeasures.opsPerSecond(
                names.stream().map(name -> name + ", semaphore").toList(),
                libraries.stream().map(Library::semaphore).toList(),
                warmUp,
                measure);
        double[] readLocks = PrimitiveMeasures.opsPerSecond(
                names.stream().map(name -> name + ", read lock").toList(),
                libraries.stream().map(Library::readLock).toList(),
                warmUp,
                measure);
        Handoffs handoff = PrimitiveMeasures.handoffs(libraries, handoffs, Duration.ofSeconds(handoffSeconds));
        List<String> mine = new ArrayList<>();
        mine.add(row(
                engine, peer, "semaphore acquire + release (ops/s, " + PERMITS + " permits)", semaphores, "%,.0f", 1));
        mine.add(row(engine, peer, "read lock acquire + release (ops/s)", readLocks, "%,.0f", 1));
        for (double quantile : new double[] {0.5, 0.99}) {
            double[] millis = new double[libraries.size()];
            for (int l = 0; l < libraries.size(); l++) {
                millis[l] = handoff.quantile(l, quantile);
            }
            String name = "handoff to a waiting writer, p" + Math.round(quantile * 100) + " (ms)";
            mine.add(row(engine, peer, name, millis, "%.2f", 1e6));
        }
        mine.forEach(System.out::println);
        System.out.flush();
        rows.addAll(mine);
        notes.add(String.format(
                Locale.ROOT,
                "%s handoffs: %d per library, interleaved, after %d warm-up ones; the writer waited %d ms"
                        + " in its lock call before the release.",
                engine,
                handoff.count(),
                PrimitiveMeasures.WARM_UP_HANDOFFS,
                PrimitiveMeasures.QUEUED.toMillis()));
    }

    private static String row(String engine, String peer, String measure, double[] values, String format, double unit) {
        String ours = String.format(Locale.ROOT, format, values[0] / unit);
        String theirs = values.length > 1 ? String.format(Locale.ROOT, format, values[1] / unit) : "—";
        return "| " + engine + " | " + peer + " | " + measure + " | " + ours + " | " + theirs + " |";
    }

    private static List<Library> redis(Deque<AutoCloseable> open) {
        RedisServer server = RedisServer.start();
        open.push(server);
        Map<String, Object> config = Map.of("engine", "redis", "redis", Map.of("nodes", List.of(server.uri())));
        Library ours = globallock(managers(open, config));
        RedissonClient reader = redisson(open, server.uri());
        RedissonClient writer = redisson(open, server.uri());
        RPermitExpirableSemaphore semaphore = reader.getPermitExpirableSemaphore("bench-semaphore-r");
        if (!semaphore.trySetPermits(PERMITS)) {
            throw new IllegalStateException("Redisson: the semaphore's permits were already set");
        }
        RReadWriteLock readWrite = reader.getReadWriteLock("bench-rw-r");
        RReadWriteLock reading = reader.getReadWriteLock("bench-handoff-r");
        RReadWriteLock writing = writer.getReadWriteLock("bench-handoff-r");
        Library theirs = new Library(
                "Redisson",
                () -> {
                    String id = semaphore.tryAcquire();
                    if (id == null) {
                        return false;
                    }
                    semaphore.release(id);
                    return true;
                },
                () -> {
                    if (!readWrite.readLock().tryLock()) {
                        return false;
                    }
                    readWrite.readLock().unlock();
                    return true;
                },
                () -> {
                    if (!reading.readLock().tryLock(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("Redisson: the reader was refused for 10 s");
                    }
                    return reading.readLock()::unlock;
                },
                () -> {
                    writing.writeLock().lock();
                    return writing.writeLock()::unlock;
                });
        return List.of(ours, theirs);
    }

    private static RedissonClient redisson(Deque<AutoCloseable> open, String uri) {
        Config config = new Config();
        config.useSingleServer().setAddress(uri);
        RedissonClient client = Redisson.create(config);
        open.push(client::shutdown);
        return client;
    }

    private static List<Library> zookeeper(Deque<AutoCloseable> open, boolean fsync, List<String> notes)
            throws Exception {
        ZooKeeperBenchServer server = ZooKeeperBenchServer.start(fsync);
        open.push(server);
        notes.add("zookeeper server: " + server.description() + ".");
        String connect = server.connectString();
        GlobalLockManager reader = ZooKeeperBenchmark.manager(connect);
        open.push(reader);
        GlobalLockManager writer = ZooKeeperBenchmark.manager(connect);
        open.push(writer);
        Library ours = globallock(List.of(reader, writer));
        CuratorFramework readerClient = ZooKeeperBenchmark.curator(connect);
        open.push(readerClient);
        CuratorFramework writerClient = ZooKeeperBenchmark.curator(connect);
        open.push(writerClient);
        InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(readerClient, "/curator/semaphore", PERMITS);
        InterProcessReadWriteLock readWrite = new InterProcessReadWriteLock(readerClient, "/curator/rw");
        InterProcessReadWriteLock reading = new InterProcessReadWriteLock(readerClient, "/curator/handoff");
        InterProcessReadWriteLock writing = new InterProcessReadWriteLock(writerClient, "/curator/handoff");
        Library theirs = new Library(
                "Curator",
                () -> {
                    Lease lease = semaphore.acquire(0, TimeUnit.MILLISECONDS);
                    if (lease == null) {
                        return false;
                    }
                    semaphore.returnLease(lease);
                    return true;
                },
                () -> {
                    if (!readWrite.readLock().acquire(0, TimeUnit.MILLISECONDS)) {
                        return false;
                    }
                    readWrite.readLock().release();
                    return true;
                },
                () -> {
                    if (!reading.readLock().acquire(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("Curator: the reader was refused for 10 s");
                    }
                    return reading.readLock()::release;
                },
                () -> {
                    writing.writeLock().acquire();
                    return writing.writeLock()::release;
                });
        return List.of(ours, theirs);
    }

    private static List<Library> etcd(Deque<AutoCloseable> open) {
        EtcdServer server = EtcdServer.start();
        open.push(server);
        Map<String, Object> config = Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(server.endpoint())));
        return List.of(globallock(managers(open, config)));
    }

    private static List<Library> file(Deque<AutoCloseable> open) throws IOException {
        Path directory = Files.createTempDirectory("globallock-primitives-");
        open.push(() -> {
            try (var files = Files.walk(directory)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        });
        Map<String, Object> config =
                Map.of("engine", "file", "file", Map.of("directory", directory.toString(), "fsync", true));
        return List.of(globallock(managers(open, config)));
    }

    private static List<GlobalLockManager> managers(Deque<AutoCloseable> open, Map<String, Object> config) {
        GlobalLockManager reader = GlobalLockManager.create(config);
        open.push(reader);
        GlobalLockManager writer = GlobalLockManager.create(config);
        open.push(writer);
        return List.of(reader, writer);
    }

    /** globallock's subjects: the reader's manager also runs the uncontended loops; the writer's waits. */
    private static Library globallock(List<GlobalLockManager> managers) {
        LockSemaphore semaphore = managers.get(0).semaphore("bench-semaphore", PERMITS);
        LockReadWrite readWrite = managers.get(0).readWriteLock("bench-rw");
        LockReadWrite reading = managers.get(0).readWriteLock("bench-handoff");
        LockReadWrite writing = managers.get(1).readWriteLock("bench-handoff");
        return new Library(
                "globallock",
                () -> released(semaphore.tryAcquire()),
                () -> released(readWrite.readLock().tryLock()),
                () -> reading.readLock().lock(BOUNDED)::release,
                () -> writing.writeLock().lock(FOREVER)::release);
    }

    /** Releases a handle that holds (reporting a failed release by its exception); false if it never held. */
    private static boolean released(LockHandle handle) {
        if (!handle.isLocked()) {
            return false;
        }
        handle.release();
        return true;
    }

    private static void closeAll(Deque<AutoCloseable> open) throws Exception {
        Exception failure = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
