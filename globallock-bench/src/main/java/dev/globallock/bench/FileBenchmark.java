/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The host-local {@code file} engine against its floor: a bare {@code FileChannel.tryLock} and
 * release, and the same plus the token write and fsync the engine does per grant. There is no peer
 * library for host-local locks in Java; the figures show what the engine adds to the OS lock. The
 * last row is a handoff across processes: a second JVM holds the lock and releases it while this
 * one waits, woken by the file-system notification. (Run with {@code exec:exec}, not {@code
 * exec:java}: the holder JVM is started with this JVM's {@code java.class.path}.)
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath dev.globallock.bench.FileBenchmark --seconds 5 --handoffs 200"
 * </pre>
 */
public final class FileBenchmark {
    private static final int CONTENDED_THREADS = 4;

    private FileBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        int handoffs = 200;
        Path directory = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--handoffs" -> handoffs = Integer.parseInt(args[++i]);
                case "--dir" -> directory = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument '" + args[i] + "': use --seconds N, --handoffs N, --dir PATH");
            }
        }
        if (directory == null) {
            directory = Files.createTempDirectory("globallock-file-bench");
        }
        Duration warmup = Duration.ofSeconds(2);
        Duration measure = Duration.ofSeconds(seconds);
        Duration waiterWaits = Duration.ofMillis(20);
        BenchHarness bench = new BenchHarness("file");
        System.out.println("lock directory: " + directory);

        // --- the floor: one open channel, tryLock and release; then with the engine's write and fsync
        try (FileChannel channel = FileChannel.open(
                directory.resolve("floor.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            BenchLock bare = () -> {
                FileLock lock = channel.tryLock();
                return lock::release;
            };
            bench.uncontended("raw FileChannel.tryLock+release", bare, warmup, measure);
            ByteBuffer record = ByteBuffer.wrap(new byte[160]);
            BenchLock written = () -> {
                FileLock lock = channel.tryLock();
                channel.write(record.clear(), 0);
                channel.force(false);
                return lock::release;
            };
            bench.uncontended("raw tryLock+write+fsync+release", written, warmup, measure);
        }

        // --- globallock on the file engine
        LockOptions forever = LockOptions.builder().waitForever().build();
        List<GlobalLockManager> managers = List.of(manager(directory, true), manager(directory, true));
        try (GlobalLockManager noFsync = manager(directory, false)) {
            GlobalLockManager first = managers.get(0);
            GlobalLockManager second = managers.get(1);
            bench.uncontended("globallock file", () -> first.lock("u", forever), warmup, measure);
            bench.uncontended(
                    "globallock file, fsync: false", () -> noFsync.lock("u-nofsync", forever), warmup, measure);
            List<BenchLock> contended = new ArrayList<>();
            for (int t = 0; t < CONTENDED_THREADS; t++) {
                GlobalLockManager locks = managers.get(t % 2);
                contended.add(() -> locks.lock("c", forever));
            }
            bench.contended("globallock file", contended, warmup, measure);
            bench.handoff(
                    "globallock file (in one JVM)",
                    () -> first.lock("h", forever),
                    () -> second.lock("h", forever),
                    waiterWaits,
                    handoffs);
            crossProcessHandoff(bench, directory, second, Math.min(handoffs, 100), waiterWaits);
        } finally {
            managers.forEach(GlobalLockManager::close);
        }

        int measured = seconds;
        int rounds = handoffs;
        Path lockDirectory = directory;
        bench.finish(() -> "file engine: lock directory " + lockDirectory + " ("
                + fileSystemOf(lockDirectory) + "); " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + Runtime.version() + "; " + measured + " s per throughput figure after a 2 s warm-up, "
                + CONTENDED_THREADS + " threads over 2 managers, " + rounds + " handoffs in one JVM and "
                + Math.min(rounds, 100) + " across processes, the waiter queued " + waiterWaits.toMillis() + " ms");
    }

    /** A second JVM takes the lock on request and releases it on request; this JVM waits for it. */
    private static void crossProcessHandoff(
            BenchHarness bench, Path directory, GlobalLockManager waiter, int rounds, Duration waiterWaits)
            throws Exception {
        Process holder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Holder.class.getName(),
                        directory.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (BufferedReader from =
                        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                Writer to = new OutputStreamWriter(holder.getOutputStream(), StandardCharsets.UTF_8)) {
            LockOptions forever = LockOptions.builder().waitForever().build();
            long[] samples = new long[rounds];
            for (int i = -3; i < rounds; i++) {
                to.write("lock\n");
                to.flush();
                if (!"held".equals(from.readLine())) {
                    throw new IllegalStateException("the holder process did not take the lock");
                }
                Future<Long> grantedAt = pool.submit(() -> {
                    try (LockHandle granted = waiter.lock("x", forever)) {
                        return System.nanoTime();
                    }
                });
                TimeUnit.NANOSECONDS.sleep(waiterWaits.toNanos());
                long releasedAt = System.nanoTime();
                to.write("unlock\n");
                to.flush();
                long latency = grantedAt.get(60, TimeUnit.SECONDS) - releasedAt;
                if (i >= 0) {
                    samples[i] = latency;
                }
            }
            Arrays.sort(samples);
            bench.note(
                    "globallock file (across processes)",
                    "handoff, waiter waited " + waiterWaits.toMillis() + " ms",
                    String.format(
                            Locale.ROOT,
                            "p50 %.0f µs, p99 %.0f µs (%d samples)",
                            samples[rounds / 2] / 1000.0,
                            samples[Math.min(rounds - 1, (int) Math.floor(rounds * 0.99))] / 1000.0,
                            rounds));
            to.write("quit\n");
            to.flush();
        } finally {
            pool.shutdownNow();
            holder.waitFor(10, TimeUnit.SECONDS);
            holder.destroyForcibly();
        }
    }

    private static GlobalLockManager manager(Path directory, boolean fsync) {
        return GlobalLockManager.create(
                Map.of("engine", "file", "file", Map.of("directory", directory.toString(), "fsync", fsync)));
    }

    private static String fileSystemOf(Path directory) {
        try {
            return Files.getFileStore(directory).type();
        } catch (java.io.IOException e) {
            return "unknown file system";
        }
    }

    /** The second JVM: {@code lock} takes lock "x" and answers {@code held}; {@code unlock} releases it. */
    public static final class Holder {
        private Holder() {}

        public static void main(String[] args) throws Exception {
            try (GlobalLockManager locks = manager(Path.of(args[0]), true);
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                LockOptions forever = LockOptions.builder().waitForever().build();
                LockHandle held = null;
                String line;
                while ((line = in.readLine()) != null && !line.equals("quit")) {
                    if (line.equals("lock")) {
                        held = locks.lock("x", forever);
                        System.out.println("held");
                        System.out.flush();
                    } else if (line.equals("unlock") && held != null) {
                        held.release();
                        held = null;
                    }
                }
            }
        }
    }
}
