/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.Capability;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.EngineErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The host-local {@code file} engine: one lock file per lock name under a directory, locked with the
 * operating system's file locks ({@link java.nio.channels.FileChannel#tryLock()}), so a process that
 * dies, however it dies, frees its locks at once. The fencing token lives in the lock file and is
 * bumped (and forced to disk) on every grant while the OS lock is held. Thread-safe; nothing blocks
 * the caller: file I/O runs on one thread per lock directory.
 *
 * <p>There is no lease time: an OS lock lasts as long as the process (or until released), so the
 * engine does not declare {@link Capability#LEASE_TIME} and the manager rejects explicit lease
 * times. A renewal checks that the lock file still is the file the lock was taken on (same device
 * and inode): a holder whose lock file was deleted or replaced learns that its lease is lost.
 *
 * <p>Do not delete lock files while they may be in use; they are small and are kept after release,
 * as they carry the fencing counter. The locks are POSIX record locks on Unix ({@code fcntl}), not
 * {@code flock(2)} locks, and on network file systems they are only as good as the server's lock
 * support.
 */
public final class FileLockEngine implements LockEngine, Abandonable {
    /** What the file engine supports; the provider declares the same. */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
            Capability.FENCING_TOKENS,
            Capability.WAIT_NOTIFICATION,
            Capability.SESSION_BOUND,
            Capability.RATE_LIMITER,
            Capability.SEMAPHORE,
            Capability.READ_WRITE_LOCK);

    private final FileEngineConfig config;
    private final Path directory;
    private final FileLockTable table;
    private final FileSharedTable shared;
    private final EngineErrors errors;
    private volatile boolean abandoned;
    private volatile boolean closed;
    private volatile Ticker ticker = Ticker.system();

    private FileLockEngine(FileEngineConfig config, Path directory) {
        this.config = config;
        this.directory = directory;
        this.table = FileLockTable.of(directory);
        this.shared = FileSharedTable.of(directory);
        this.errors = errors(directory);
    }

    private static EngineErrors errors(Path directory) {
        String endpoint = "file:" + directory;
        return EngineErrors.of("file", () -> endpoint);
    }

    /**
     * Opens the engine, creating the lock directory if needed.
     *
     * @throws LockBackendException if the directory cannot be created or is not a directory
     */
    public static FileLockEngine open(FileEngineConfig config) {
        Objects.requireNonNull(config, "config");
        Path wanted = config.directory().toAbsolutePath().normalize();
        try {
            Files.createDirectories(wanted);
            return new FileLockEngine(config, wanted.toRealPath());
        } catch (IOException | SecurityException e) {
            throw new LockBackendException(
                    errors(wanted)
                            .say("cannot use its lock directory: "
                                    + e.getClass().getSimpleName() + ": " + e.getMessage()),
                    e);
        }
    }

    /** The engine's settings. */
    public FileEngineConfig config() {
        return config;
    }

    /** The lock directory, as a real path. */
    public Path directory() {
        return directory;
    }

    /** The lock file of a (prefixed) key: for operators and tests. */
    public Path lockFile(String key) {
        return table.lockFile(Objects.requireNonNull(key, "key"));
    }

    /** The lock file of a (prefixed) key in a directory, without opening an engine. */
    public static Path lockFile(Path directory, String key) {
        return directory.resolve(LockFiles.fileName(Objects.requireNonNull(key, "key")));
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public EngineCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String describeEndpoint() {
        return "file:" + directory;
    }

    @Override
    public void start(EngineContext context) {
        this.ticker = context.ticker();
    }

    /** The manager's clock, for the grants' confirmation times. */
    Ticker ticker() {
        return ticker;
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        if (abandoned || closed) {
            return unusable("acquire lock '" + request.name() + "'");
        }
        if (request.mode() != AcquireMode.EXCLUSIVE) {
            return shared.acquire(request, this);
        }
        return table.acquire(request, this);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        if (abandoned) {
            return unusable("release");
        }
        if (grant instanceof SharedGrant) {
            return shared.release((SharedGrant) grant);
        }
        return table.release((FileGrant) grant);
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        if (abandoned || closed) {
            return unusable("renew");
        }
        List<LockGrant> locks = new ArrayList<>(grants.size());
        List<SharedGrant> others = new ArrayList<>();
        for (LockGrant grant : grants) {
            if (grant instanceof SharedGrant) {
                others.add((SharedGrant) grant);
            } else {
                locks.add(grant);
            }
        }
        if (others.isEmpty()) {
            return table.renew(locks);
        }
        CompletableFuture<Set<LockGrant>> sharedLost = shared.renew(others);
        if (locks.isEmpty()) {
            return sharedLost;
        }
        return table.renew(locks).thenCombine(sharedLost, (a, b) -> {
            Set<LockGrant> lost = new HashSet<>(a);
            lost.addAll(b);
            return lost;
        });
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(new LockInspector() {
            @Override
            public CompletableFuture<LockInfo> inspect(String name, String key) {
                return table.inspect(name, key);
            }

            @Override
            public CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
                return mode == AcquireMode.EXCLUSIVE ? table.inspect(name, key) : shared.inspect(name, key, mode);
            }
        });
    }

    /**
     * Host-local rate limiters: a state file per limiter under {@code <directory>/rate-limits/},
     * updated under the OS file lock (see {@code FileRateLimiter}).
     */
    @Override
    public Optional<RateLimiterEngine> rateLimiter() {
        return Optional.of(new FileRateLimiter(
                directory, errors, () -> abandoned ? "was abandoned" : closed ? "was closed" : null));
    }

    /**
     * Frees this engine's locks without writing anything, as the OS does when a process dies, and
     * refuses further calls.
     */
    @Override
    public void abandon() {
        abandoned = true;
        await(table.dropAll(this, true));
        await(shared.dropAll(this));
    }

    /** Releases what this engine still holds and ends its waits. Idempotent. */
    @Override
    public void close() {
        if (closed || abandoned) {
            return;
        }
        closed = true;
        await(table.dropAll(this, false));
        await(shared.dropAll(this));
    }

    private static void await(CompletableFuture<Void> done) {
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the OS frees the locks when the process ends anyway
        }
    }

    private <T> CompletableFuture<T> unusable(String what) {
        return CompletableFuture.failedFuture(errors.unusable(abandoned ? "was abandoned" : "was closed", what));
    }

    @Override
    public String toString() {
        return "FileLockEngine{" + directory + "}";
    }
}
