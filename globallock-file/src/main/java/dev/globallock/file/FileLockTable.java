/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.EngineErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The locks of one lock directory as this JVM sees them, shared by every file engine opened on
 * that directory (so several managers in one JVM contend the way several processes do).
 *
 * <p>Why one table per JVM: POSIX record locks, which {@link FileChannel#lock} uses on Unix, belong
 * to the process, and closing <em>any</em> descriptor of a file drops every lock the process holds
 * on it. So this JVM keeps exactly one channel per lock file while it holds or waits for that lock,
 * never opens the file otherwise while that channel is open, and queues its own waiters in FIFO
 * order on futures behind that one channel.
 *
 * <p>Everything below runs on one I/O thread per directory ({@code globallock-file-io}); futures
 * are completed on the JVM's {@link CallbackPool} so that callers' continuations never run on (or
 * block) the I/O thread. Waiting for a lock that another process holds: an attempt ({@code tryLock}, never
 * a blocking {@code lock}) when a file-system notification for the lock file arrives (the holder
 * writes the file when it releases), and otherwise after a back-off of 2 ms doubling up to {@code
 * max-poll-interval}, which catches a holder that crashed (its OS lock vanishes silently).
 */
final class FileLockTable extends FileIoTable<FileLockTable.Entry> {
    private static final System.Logger LOG = System.getLogger(FileLockTable.class.getName());
    private static final Map<Path, FileLockTable> TABLES = new ConcurrentHashMap<>();

    // ---- confined to the I/O thread
    private final Map<String, Entry> entries = new HashMap<>();

    private FileLockTable(Path directory) {
        super(directory, "globallock-file-io");
    }

    /** The table of a directory, given as its real path (symbolic links resolved). */
    static FileLockTable of(Path realDirectory) {
        return TABLES.computeIfAbsent(realDirectory, FileLockTable::new);
    }

    Path lockFile(String key) {
        return directory.resolve(LockFiles.fileName(key));
    }

    private static final class Waiter {
        final AcquireRequest request;
        final FileLockEngine engine;
        final CompletableFuture<LockGrant> future = new CompletableFuture<>();

        Waiter(AcquireRequest request, FileLockEngine engine) {
            this.request = request;
            this.engine = engine;
        }
    }

    /** One lock file as this JVM uses it. */
    final class Entry extends Polled {
        final String key;
        final Path file;
        final String fileName;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        /** The JVM's only channel on the file, and the OS lock. */
        final LockFileChannel lockFile;

        FileGrant holder;
        /** The lock file was deleted or replaced under the holder: our OS lock guards nothing. */
        boolean stale;
        /** Free the lock without marking the file free, as a crash would. */
        boolean quiet;

        Entry(String key) {
            this.key = key;
            this.fileName = LockFiles.fileName(key);
            this.file = directory.resolve(fileName);
            this.lockFile = new LockFileChannel(directory, file);
        }
    }

    // ------------------------------------------------------------------------------ operations

    CompletableFuture<LockGrant> acquire(AcquireRequest request, FileLockEngine engine) {
        Waiter waiter = new Waiter(request, engine);
        io.execute(() -> firstAttempt(waiter));
        waiter.future.whenComplete((grant, failure) -> {
            if (waiter.future.isCancelled()) {
                io.execute(() -> abandonWaiter(waiter));
            }
        });
        return waiter.future;
    }

    CompletableFuture<Void> release(FileGrant grant) {
        return onIo("release", grant.request.name(), () -> {
            Entry entry = entries.get(grant.key);
            if (entry != null && entry.holder == grant) {
                entry.holder = null;
                settle(entry);
            }
            return null;
        });
    }

    CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        return onIo("renew", grants.size() + " lock(s)", () -> {
            Set<LockGrant> lost = new HashSet<>();
            IOException unknown = null;
            int checked = 0;
            for (LockGrant lockGrant : grants) {
                FileGrant grant = (FileGrant) lockGrant;
                Entry entry = entries.get(grant.key);
                if (entry == null || entry.holder != grant) {
                    lost.add(grant);
                    continue;
                }
                try {
                    if (!entry.lockFile.isSameFile()) {
                        lost.add(grant);
                        entry.holder = null;
                        entry.stale = true;
                        settle(entry);
                    }
                    checked++;
                } catch (IOException e) {
                    unknown = e;
                }
            }
            if (unknown != null && checked == 0 && lost.isEmpty()) {
                throw unknown;
            }
            return lost;
        });
    }

    CompletableFuture<LockInfo> inspect(String name, String key) {
        return onIo("inspect", name, () -> {
            Entry entry = entries.get(key);
            if (entry != null && entry.holder != null) {
                return held(name, OptionalLong.of(entry.holder.token));
            }
            if (entry != null && entry.lockFile.isOpen()) {
                // this JVM waits for it: another process holds it (or just freed it)
                LockFiles.Record record = LockFiles.read(entry.lockFile.channel());
                return record.held ? held(name, record.token) : LockInfo.free(name);
            }
            // nobody in this JVM holds or waits for it, so a short-lived channel is safe here
            FileChannel channel;
            try {
                channel = FileChannel.open(lockFile(key), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return LockInfo.free(name);
            }
            try (channel) {
                LockFiles.Record record = LockFiles.read(channel);
                if (!record.held) {
                    return LockInfo.free(name);
                }
                FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
                if (probe == null) {
                    return held(name, record.token);
                }
                probe.release();
                return LockInfo.free(name); // the holder died without releasing
            }
        });
    }

    /**
     * Drops what an engine holds and waits for: a clean close ({@code crash} false) or the effect
     * of a crash (the OS frees the locks; the waits end with an error).
     */
    CompletableFuture<Void> dropAll(FileLockEngine engine, boolean crash) {
        return onIo(crash ? "abandon" : "close", "every lock", () -> {
            for (Entry entry : List.copyOf(entries.values())) {
                for (Waiter waiter : List.copyOf(entry.waiters)) {
                    if (waiter.engine == engine) {
                        entry.waiters.remove(waiter);
                        fail(waiter, new IOException("the engine was " + (crash ? "abandoned" : "closed")), "acquire");
                    }
                }
                if (entry.holder != null && entry.holder.engine == engine) {
                    entry.holder = null;
                    entry.quiet = crash;
                }
                settle(entry);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------ internals

    private void firstAttempt(Waiter waiter) {
        if (waiter.future.isDone()) {
            return;
        }
        Entry entry = entries.computeIfAbsent(waiter.request.key(), Entry::new);
        try {
            if (entry.holder == null && entry.waiters.isEmpty() && entry.lockFile.tryLock()) {
                grantTo(entry, waiter);
                return;
            }
            if (waiter.request.singleAttempt()) {
                CALLBACKS.execute(() -> waiter.future.complete(null));
            } else {
                entry.waiters.addLast(waiter);
            }
        } catch (IOException | RuntimeException e) {
            fail(waiter, e, "acquire");
        }
        settle(entry);
    }

    private void abandonWaiter(Waiter waiter) {
        Entry entry = entries.get(waiter.request.key());
        if (entry != null && entry.waiters.remove(waiter)) {
            settle(entry);
        }
    }

    /**
     * Brings an entry to rest after any change: a holder keeps it; else the first live waiter gets
     * the OS lock if we hold it, or polling starts; with nobody left, the lock file is marked free,
     * unlocked and closed, and other processes are woken.
     */
    private void settle(Entry entry) {
        if (entry.holder != null) {
            return;
        }
        boolean quiet = entry.quiet;
        entry.quiet = false;
        if (entry.stale) {
            entry.lockFile.close();
            entry.stale = false;
        }
        if (entry.lockFile.isLocked()) {
            Waiter next;
            while ((next = entry.waiters.pollFirst()) != null) {
                if (next.future.isDone()) {
                    continue;
                }
                try {
                    grantTo(entry, next);
                    stopPolling(entry);
                    return;
                } catch (IOException | RuntimeException e) {
                    fail(next, e, "acquire");
                }
            }
        } else if (hasLiveWaiters(entry)) {
            startPolling(entry);
            return;
        }
        stopPolling(entry);
        boolean wasLocked = entry.lockFile.isLocked();
        if (wasLocked && !quiet) {
            try {
                LockFiles.Record record = LockFiles.read(entry.lockFile.channel());
                LockFiles.write(
                        entry.lockFile.channel(), record.token.orElse(0), false, entry.key, Instant.now(), false);
            } catch (IOException e) {
                // the mark only helps status and wakes waiters; the unlock below is what frees the lock
            }
        }
        entry.lockFile.close();
        entries.remove(entry.key, entry);
        if (wasLocked && !quiet) {
            LockFileChannel.touch(entry.file);
        }
    }

    private boolean hasLiveWaiters(Entry entry) {
        while (!entry.waiters.isEmpty() && entry.waiters.peekFirst().future.isDone()) {
            entry.waiters.pollFirst();
        }
        return !entry.waiters.isEmpty();
    }

    @Override
    void poll(Entry entry) {
        entry.retry = null;
        if (entries.get(entry.key) != entry) {
            polling.remove(entry);
            return;
        }
        if (entry.holder != null || !hasLiveWaiters(entry)) {
            stopPolling(entry);
            settle(entry);
            return;
        }
        try {
            if (entry.lockFile.tryLock()) {
                stopPolling(entry);
                settle(entry);
                return;
            }
        } catch (IOException | RuntimeException e) {
            stopPolling(entry);
            for (Waiter waiter : List.copyOf(entry.waiters)) {
                fail(waiter, e, "acquire");
            }
            entry.waiters.clear();
            settle(entry);
            return;
        }
        pollAgain(entry, maxPollNanos(entry));
    }

    private long maxPollNanos(Entry entry) {
        long cap = Long.MAX_VALUE;
        for (Waiter waiter : entry.waiters) {
            cap = Math.min(cap, waiter.engine.config().maxPollInterval().toNanos());
        }
        return cap == Long.MAX_VALUE ? FileEngineConfig.DEFAULT_MAX_POLL_INTERVAL.toNanos() : cap;
    }

    /** A notification for these file names (or all, after an overflow): try the waiting entries at once. */
    @Override
    void wake(Set<String> fileNames, boolean all) {
        for (Entry entry : List.copyOf(polling)) {
            if (all || fileNames.contains(entry.fileName)) {
                if (entry.retry != null) {
                    entry.retry.cancel(false);
                }
                entry.backoffNanos = FIRST_POLL_NANOS / 2;
                poll(entry);
            }
        }
    }

    private void grantTo(Entry entry, Waiter waiter) throws IOException {
        long grantedAt = waiter.engine.ticker().read(); // the OS lock is held: the lease starts no later
        LockFiles.Record record = LockFiles.read(entry.lockFile.channel());
        Instant now = Instant.now();
        long token = LockFiles.nextToken(record.token, now);
        LockFiles.write(
                entry.lockFile.channel(),
                token,
                true,
                entry.key,
                now,
                waiter.engine.config().fsync());
        FileGrant grant = new FileGrant(entry.key, token, waiter.request, waiter.engine, grantedAt);
        entry.holder = grant;
        CALLBACKS.execute(() -> {
            if (!waiter.future.complete(grant)) {
                release(grant);
            }
        });
    }

    private static LockInfo held(String name, OptionalLong token) {
        return LockInfo.held(name, token, Optional.empty());
    }

    private void fail(Waiter waiter, Exception cause, String operation) {
        LockBackendException failure = failure(operation, waiter.request.name(), cause);
        CALLBACKS.execute(() -> waiter.future.completeExceptionally(failure));
    }

    @Override
    LockBackendException failure(String operation, String what, Exception cause) {
        String lock = what.endsWith(")") ? what : EngineErrors.lock(what);
        return errors.failed(operation, lock, describe(cause), cause);
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }

    @Override
    public String toString() {
        return "FileLockTable{" + directory + "}";
    }
}
