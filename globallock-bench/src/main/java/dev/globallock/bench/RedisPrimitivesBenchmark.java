/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockReadWrite;
import dev.globallock.LockSemaphore;
import dev.globallock.tck.fixture.RedisServer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.redisson.Redisson;
import org.redisson.api.RPermitExpirableSemaphore;
import org.redisson.api.RReadWriteLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Semaphores and read locks on one local Redis, one thread, uncontended: acquire + release per
 * operation, globallock (redis engine, watchdog lease) vs Redisson's {@code
 * RPermitExpirableSemaphore} and {@code RReadWriteLock}. A small bounded main (issue 15): {@code
 * --seconds N} per figure (default 3) after a 1 s warm-up; prints a Markdown table.
 */
public final class RedisPrimitivesBenchmark {
    private RedisPrimitivesBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length == 2 && args[0].equals("--seconds") ? Integer.parseInt(args[1]) : 3;
        try (RedisServer server = RedisServer.start();
                GlobalLockManager locks = GlobalLockManager.create(
                        Map.of("engine", "redis", "redis", Map.of("nodes", List.of(server.uri()))))) {
            Config config = new Config();
            config.useSingleServer().setAddress(server.uri());
            RedissonClient redisson = Redisson.create(config);
            try {
                LockSemaphore semaphore = locks.semaphore("bench-semaphore", 3);
                LockReadWrite readWrite = locks.readWriteLock("bench-rw");
                RPermitExpirableSemaphore rSemaphore = redisson.getPermitExpirableSemaphore("bench-semaphore-r");
                rSemaphore.trySetPermits(3);
                RReadWriteLock rReadWrite = redisson.getReadWriteLock("bench-rw-r");
                StringBuilder out =
                        new StringBuilder("| measure | globallock ops/s | Redisson ops/s |\n|---|---|---|\n");
                row(
                        out,
                        "semaphore acquire + release",
                        seconds,
                        () -> {
                            try (LockHandle permit = semaphore.tryAcquire()) {
                                return permit.isLocked();
                            }
                        },
                        () -> {
                            String id = rSemaphore.tryAcquire();
                            if (id == null) {
                                return false;
                            }
                            rSemaphore.release(id);
                            return true;
                        });
                row(
                        out,
                        "read lock acquire + release",
                        seconds,
                        () -> {
                            try (LockHandle read = readWrite.readLock().tryLock()) {
                                return read.isLocked();
                            }
                        },
                        () -> {
                            if (!rReadWrite.readLock().tryLock()) {
                                return false;
                            }
                            rReadWrite.readLock().unlock();
                            return true;
                        });
                System.out.println(out);
            } finally {
                redisson.shutdown();
            }
        }
    }

    private static void row(
            StringBuilder out, String measure, int seconds, BooleanSupplier ours, BooleanSupplier theirs) {
        run(ours, 1);
        run(theirs, 1);
        out.append("| ")
                .append(measure)
                .append(" | ")
                .append(String.format(Locale.ROOT, "%,.0f", run(ours, seconds)))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%,.0f", run(theirs, seconds)))
                .append(" |\n");
    }

    /** Operations per second over the given time; every operation must succeed. */
    private static double run(BooleanSupplier operation, int seconds) {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long ops = 0;
        long now;
        do {
            if (!operation.getAsBoolean()) {
                throw new IllegalStateException("an uncontended acquisition failed");
            }
            ops++;
            now = System.nanoTime();
        } while (now - end < 0);
        return ops * 1e9 / (now - start);
    }
}
