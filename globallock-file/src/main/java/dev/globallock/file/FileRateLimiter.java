/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.RateLimiter;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.SlidingWindowCounters;
import dev.globallock.spi.support.SlidingWindowLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The file engine's rate limiters: host-local, shared by every process on the host that uses the
 * same lock directory. Each limiter is a small state file in {@code <directory>/rate-limits/}, named
 * like its key's lock file with {@code .rate} (the exact log) or {@code .rate-approx} (the two
 * counters) instead of {@code .lock}; a call opens it, takes the operating system's exclusive lock
 * on it ({@link FileChannel#lock()}, held for one read and one write), decides with {@link
 * SlidingWindowLog} or {@link SlidingWindowCounters}, writes the file back if it granted, and
 * closes it. Within the JVM, calls on one file are serialised first (POSIX record locks belong to
 * the process, and closing any descriptor of a file drops them).
 *
 * <p>The clock is the host's wall clock, the only one every process on the host shares (a
 * monotonic clock starts anew with each boot, and its origin is not promised to be shared). A clock
 * stepped back holds permits at most one window longer (times later than now count as now); one
 * stepped forward lets permits go early. The file is not forced to disk: after a crash of the host
 * the limiter may have forgotten the last grants. State files are never deleted (a file deleted
 * while another process waits for its lock would split the limiter in two); each is at most 8 bytes
 * per permit (exact) or 32 bytes (approximate).
 *
 * <p>The file's I/O runs on the caller that waits for it (the manager's blocking calls), else on a
 * small pool of daemon threads; a call blocked on another process's lock longer than the manager's
 * operation timeout is interrupted. Thread-safe.
 */
final class FileRateLimiter implements RateLimiterEngine {
    static final String DIRECTORY = "rate-limits";
    static final String EXACT_SUFFIX = ".rate";
    static final String APPROXIMATE_SUFFIX = ".rate-approx";
    private static final byte[] LOG_MAGIC = "GLRLOG1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COUNTERS_MAGIC = "GLRCNT1\n".getBytes(StandardCharsets.US_ASCII);
    /** The most entries read from a log (a year-long window of a large limit is still far below). */
    private static final int MAX_ENTRIES = 16 * 1024 * 1024;

    /** Serialises this JVM's calls on one file: one stripe per file name hash. */
    private static final ReentrantLock[] STRIPES = new ReentrantLock[64];

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Where calls nobody waits for run (tryAcquireAsync). */
    private static final ThreadPoolExecutor IO =
            new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "globallock-file-rate-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

    static {
        for (int i = 0; i < STRIPES.length; i++) {
            STRIPES[i] = new ReentrantLock();
        }
        IO.allowCoreThreadTimeOut(true);
    }

    private final Path directory;
    private final EngineErrors errors;
    /** How the engine stands when it can no longer be used ({@code was closed}), else null. */
    private final Supplier<String> unusable;

    private final CallerRunsPolicy callerRuns = CallerRunsPolicy.of(IO).interruptAtDeadline();

    /**
     * @param lockDirectory the engine's lock directory (its real path)
     * @param unusable how the engine stands once closed or abandoned ({@code was closed}), else null
     */
    FileRateLimiter(Path lockDirectory, EngineErrors errors, Supplier<String> unusable) {
        this.directory = lockDirectory.resolve(DIRECTORY);
        this.errors = errors;
        this.unusable = unusable;
    }

    /** The state file of a limiter: for operators and tests. */
    static Path stateFile(Path lockDirectory, String key, RateLimiter.Algorithm algorithm) {
        return lockDirectory
                .resolve(DIRECTORY)
                .resolve(LockFiles.fileName(
                        key, algorithm == RateLimiter.Algorithm.EXACT ? EXACT_SUFFIX : APPROXIMATE_SUFFIX));
    }

    @Override
    public CompletableFuture<RateLimitState> tryAcquire(RateLimit limit, int permits) {
        return call(limit, permits, true);
    }

    @Override
    public CompletableFuture<RateLimitState> inspect(RateLimit limit, int permits) {
        return call(limit, permits, false);
    }

    private CompletableFuture<RateLimitState> call(RateLimit limit, int permits, boolean take) {
        String what = limit.describe(permits, take);
        String state = unusable.get();
        if (state != null) {
            return CompletableFuture.failedFuture(errors.unusable(state, (take ? "take " : "read ") + what));
        }
        CallerRunsFuture<RateLimitState> future = new CallerRunsFuture<>(callerRuns);
        return future.defer(onCaller -> {
            try {
                future.complete(update(limit, permits, take));
            } catch (IOException | RuntimeException e) {
                future.completeExceptionally(errors.failed(take ? "take" : "read", what, describe(e), e));
            }
        });
    }

    private RateLimitState update(RateLimit limit, int permits, boolean take) throws IOException {
        Path file = stateFile(directory.getParent(), limit.key(), limit.algorithm());
        ReentrantLock stripe = STRIPES[Math.floorMod(file.getFileName().hashCode(), STRIPES.length)];
        try {
            stripe.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for this JVM's other call on " + file, e);
        }
        try (FileChannel channel = open(file);
                FileLock osLock = channel.lock()) {
            ByteBuffer stored = read(channel);
            long now = wallClockNanos();
            if (limit.algorithm() == RateLimiter.Algorithm.EXACT) {
                SlidingWindowLog log = SlidingWindowLog.of(decodeLog(stored));
                RateLimitState state = take ? log.tryAcquire(now, limit, permits) : log.inspect(now, limit, permits);
                if (state.granted()) {
                    write(channel, encodeLog(log.toArray()));
                }
                return state;
            }
            SlidingWindowCounters counters = decodeCounters(stored);
            RateLimitState state =
                    take ? counters.tryAcquire(now, limit, permits) : counters.inspect(now, limit, permits);
            if (state.granted()) {
                write(channel, encodeCounters(counters));
            }
            return state;
        } finally {
            stripe.unlock();
        }
    }

    private FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(directory);
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    /** Nanoseconds since the epoch on the host's wall clock (until the year 2262). */
    private static long wallClockNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static ByteBuffer read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > LOG_MAGIC.length + 4 + 8L * MAX_ENTRIES) {
            throw new IOException("the rate limiter file is " + size + " bytes long: not one this engine wrote");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // read on
        }
        return buffer.flip();
    }

    private static void write(FileChannel channel, ByteBuffer content) throws IOException {
        long position = 0;
        while (content.hasRemaining()) {
            position += channel.write(content, position);
        }
        if (channel.size() > position) {
            channel.truncate(position);
        }
    }

    /** An empty or foreign file is an empty log. */
    static long[] decodeLog(ByteBuffer stored) {
        if (!hasMagic(stored, LOG_MAGIC) || stored.remaining() < LOG_MAGIC.length + 4) {
            return new long[0];
        }
        stored.position(LOG_MAGIC.length);
        int count = stored.getInt();
        if (count < 0 || count > MAX_ENTRIES || stored.remaining() < 8L * count) {
            return new long[0];
        }
        long[] times = new long[count];
        for (int i = 0; i < count; i++) {
            times[i] = stored.getLong();
        }
        return times;
    }

    static ByteBuffer encodeLog(long[] times) {
        ByteBuffer buffer = ByteBuffer.allocate(LOG_MAGIC.length + 4 + 8 * times.length);
        buffer.put(LOG_MAGIC).putInt(times.length);
        for (long time : times) {
            buffer.putLong(time);
        }
        return buffer.flip();
    }

    static SlidingWindowCounters decodeCounters(ByteBuffer stored) {
        if (!hasMagic(stored, COUNTERS_MAGIC) || stored.remaining() < COUNTERS_MAGIC.length + 24) {
            return new SlidingWindowCounters();
        }
        stored.position(COUNTERS_MAGIC.length);
        return new SlidingWindowCounters(stored.getLong(), stored.getLong(), stored.getLong());
    }

    static ByteBuffer encodeCounters(SlidingWindowCounters counters) {
        return ByteBuffer.allocate(COUNTERS_MAGIC.length + 24)
                .put(COUNTERS_MAGIC)
                .putLong(counters.windowIndex())
                .putLong(counters.current())
                .putLong(counters.previous())
                .flip();
    }

    private static boolean hasMagic(ByteBuffer stored, byte[] magic) {
        return stored.remaining() >= magic.length
                && Arrays.equals(
                        Arrays.copyOfRange(stored.array(), stored.position(), stored.position() + magic.length), magic);
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }

    @Override
    public String toString() {
        return "FileRateLimiter{" + directory + "}";
    }
}
