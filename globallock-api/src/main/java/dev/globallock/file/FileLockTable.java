package dev.globallock.file;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.EngineErrors;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
final class FileLockTable {
    private static final System.Logger LOG = System.getLogger(FileLockTable.class.getName());
    private static final Map<Path, FileLockTable> TABLES = new ConcurrentHashMap<>();
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** Completes futures away from the I/O thread. */
    private static final Executor CALLBACKS = CallbackPool.shared();

    private final Path directory;
    private final EngineErrors errors;
    private final ScheduledThreadPoolExecutor io;
    // ---- confined to the I/O thread
    private final Map<String, Entry> entries = new HashMap<>();
    private final Set<Entry> polling = new LinkedHashSet<>();
    private WatchService watcher;
    private boolean watcherUnavailable;

    private FileLockTable(Path directory) {
        this.directory = directory;
        String endpoint = "file:" + directory;
        this.errors = EngineErrors.of("file", () -> endpoint);
        this.io = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "globallock-file-io");
            thread.setDaemon(true);
            return thread;
        });
        this.io.setRemoveOnCancelPolicy(true);
    }

    /** The table of a directory, given as its real path (symbolic links resolved). */
    static FileLockTable of(Path realDirectory) {
        return TABLES.computeIfAbsent(realDirectory, FileLockTable::new);
    }

    Path lockFile(String key) {
        return directory.resolve(LockFiles.fileName(key));
    }

    /** A grant: the key, its token, and the request and engine it was made for. */
    static final class Grant implements LockGrant {
        final String key;
        final long token;
        final AcquireRequest request;
        final FileLockEngine engine;
        /** The manager's ticker when the lock was granted: the OS lock was held then. */
        final long grantedAtNanos;

        Grant(String key, long token, AcquireRequest request, FileLockEngine engine, long grantedAtNanos) {
            this.key = key;
            this.token = token;
            this.request = request;
            this.engine = engine;
            this.grantedAtNanos = grantedAtNanos;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        @Override
        public OptionalLong leaseConfirmedAtNanos() {
            return OptionalLong.of(grantedAtNanos);
        }

        @Override
        public String toString() {
            return "FileGrant{" + key + ", token=" + token + "}";
        }
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
    private final class Entry {
        final String key;
        final Path file;
        final String fileName;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        /** The JVM's only channel on the file; open while the lock is held or waited for. */
        FileChannel channel;
        /** The identity (device and inode) of the file the channel is open on; null if unknown. */
        Object fileKey;

        FileLock osLock;
        Grant holder;
        /** The lock file was deleted or replaced under the holder: our OS lock guards nothing. */
        boolean stale;
        /** Free the lock without marking the file free, as a crash would. */
        boolean quiet;

        ScheduledFuture<?> retry;
        long backoffNanos;

        Entry(String key) {
            this.key = key;
            this.fileName = LockFiles.fileName(key);
            this.file = directory.resolve(fileName);
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

    CompletableFuture<Void> release(Grant grant) {
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
                Grant grant = (Grant) lockGrant;
                Entry entry = entries.get(grant.key);
                if (entry == null || entry.holder != grant) {
                    lost.add(grant);
                    continue;
                }
                try {
                    if (!sameFile(entry)) {
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
            if (entry != null && entry.channel != null) {
                // this JVM waits for it: another process holds it (or just freed it)
                LockFiles.Record record = LockFiles.read(entry.channel);
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
            if (entry.holder == null && entry.waiters.isEmpty() && tryOsLock(entry)) {
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
            closeChannel(entry);
            entry.stale = false;
        }
        if (entry.osLock != null) {
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
            if (entry.retry == null) {
                entry.backoffNanos = FIRST_POLL_NANOS;
                polling.add(entry);
                ensureWatcher();
                entry.retry = io.schedule(() -> poll(entry), FIRST_POLL_NANOS, TimeUnit.NANOSECONDS);
            }
            return;
        }
        stopPolling(entry);
        boolean wasLocked = entry.osLock != null;
        if (wasLocked && !quiet) {
            try {
                LockFiles.Record record = LockFiles.read(entry.channel);
                LockFiles.write(entry.channel, record.token.orElse(0), false, entry.key, Instant.now(), false);
            } catch (IOException e) {
                // the mark only helps status and wakes waiters; the unlock below is what frees the lock
            }
        }
        closeChannel(entry);
        entries.remove(entry.key, entry);
        if (wasLocked && !quiet) {
            touch(entry.file);
        }
    }

    private boolean hasLiveWaiters(Entry entry) {
        while (!entry.waiters.isEmpty() && entry.waiters.peekFirst().future.isDone()) {
            entry.waiters.pollFirst();
        }
        return !entry.waiters.isEmpty();
    }

    private void poll(Entry entry) {
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
            if (tryOsLock(entry)) {
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
        long cap = maxPollNanos(entry);
        entry.backoffNanos = Math.min(Math.max(FIRST_POLL_NANOS, entry.backoffNanos * 2), cap);
        entry.retry = io.schedule(() -> poll(entry), entry.backoffNanos, TimeUnit.NANOSECONDS);
    }

    private long maxPollNanos(Entry entry) {
        long cap = Long.MAX_VALUE;
        for (Waiter waiter : entry.waiters) {
            cap = Math.min(cap, waiter.engine.config().maxPollInterval().toNanos());
        }
        return cap == Long.MAX_VALUE ? FileEngineConfig.DEFAULT_MAX_POLL_INTERVAL.toNanos() : cap;
    }

    private void stopPolling(Entry entry) {
        if (entry.retry != null) {
            entry.retry.cancel(false);
            entry.retry = null;
        }
        polling.remove(entry);
    }

    /** A notification for these file names (or all, after an overflow): try the waiting entries at once. */
    private void wake(Set<String> fileNames, boolean all) {
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

    /** Takes the OS lock on the entry's file without blocking; false when another process has it. */
    private boolean tryOsLock(Entry entry) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (entry.channel == null) {
                open(entry);
            }
            FileLock lock;
            try {
                lock = entry.channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // held in this JVM through a channel that is not ours
            }
            if (lock == null) {
                return false;
            }
            if (sameFile(entry)) {
                entry.osLock = lock;
                return true;
            }
            // the file was deleted or replaced after we opened it: this lock guards a dead inode
            lock.release();
            closeChannel(entry);
        }
        throw new IOException("the lock file " + entry.file + " keeps being deleted or replaced while it is locked");
    }

    private void open(Entry entry) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            FileChannel channel;
            try {
                channel = FileChannel.open(
                        entry.file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                Files.createDirectories(directory); // the directory itself was removed
                continue;
            }
            Optional<Object> key = fileKey(entry.file);
            if (key.isPresent()) {
                entry.channel = channel;
                entry.fileKey = key.get() == NO_KEY ? null : key.get();
                return;
            }
            channel.close(); // deleted between open and stat: open the new one
        }
        throw new IOException("the lock file " + entry.file + " keeps being deleted while it is opened");
    }

    private static final Object NO_KEY = new Object();

    /** The file's identity; {@link #NO_KEY} when the platform has none; empty when it does not exist. */
    private static Optional<Object> fileKey(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return Optional.of(key == null ? NO_KEY : key);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Whether the entry's path still names the file its channel has open (stat only: no new descriptor). */
    private static boolean sameFile(Entry entry) throws IOException {
        Optional<Object> key = fileKey(entry.file);
        return key.isPresent() && (entry.fileKey == null || entry.fileKey.equals(key.get()));
    }

    private void grantTo(Entry entry, Waiter waiter) throws IOException {
        long grantedAt = waiter.engine.ticker().read(); // the OS lock is held: the lease starts no later
        LockFiles.Record record = LockFiles.read(entry.channel);
        Instant now = Instant.now();
        long token = LockFiles.nextToken(record.token, now);
        LockFiles.write(
                entry.channel,
                token,
                true,
                entry.key,
                now,
                waiter.engine.config().fsync());
        Grant grant = new Grant(entry.key, token, waiter.request, waiter.engine, grantedAt);
        entry.holder = grant;
        CALLBACKS.execute(() -> {
            if (!waiter.future.complete(grant)) {
                release(grant);
            }
        });
    }

    private static void closeChannel(Entry entry) {
        if (entry.osLock != null) {
            try {
                entry.osLock.release();
            } catch (IOException e) {
                // closing the channel below releases it as well
            }
            entry.osLock = null;
        }
        if (entry.channel != null) {
            try {
                entry.channel.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "closing lock file " + entry.file + " failed: " + e);
            }
            entry.channel = null;
            entry.fileKey = null;
        }
    }

    /** Changes the file's time after unlocking, so that waiting processes get a notification. */
    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException | RuntimeException e) {
            // waiters fall back to their back-off
        }
    }

    private void ensureWatcher() {
        if (watcher != null || watcherUnavailable) {
            return;
        }
        try {
            WatchService service = directory.getFileSystem().newWatchService();
            directory.register(
                    service,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            Thread thread = new Thread(() -> watch(service), "globallock-file-watch");
            thread.setDaemon(true);
            thread.start();
            watcher = service;
        } catch (IOException | RuntimeException e) {
            watcherUnavailable = true;
            LOG.log(Level.DEBUG, () -> "no file notifications for " + directory + "; waiters poll with back-off: " + e);
        }
    }

    /** Runs on the watch thread for the JVM's life (one per directory waited on): forwards events. */
    private void watch(WatchService service) {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Set<String> names = new HashSet<>();
            boolean all = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path)) {
                    all = true;
                } else {
                    names.add(event.context().toString());
                }
            }
            boolean valid = key.reset();
            boolean wakeAll = all;
            io.execute(() -> wake(names, wakeAll));
            if (!valid) {
                io.execute(() -> {
                    watcher = null;
                    try {
                        service.close();
                    } catch (IOException e) {
                        // nothing to do
                    }
                });
                return;
            }
        }
    }

    private static LockInfo held(String name, OptionalLong token) {
        return LockInfo.held(name, token, Optional.empty());
    }

    private void fail(Waiter waiter, Exception cause, String operation) {
        LockBackendException failure = failure(operation, waiter.request.name(), cause);
        CALLBACKS.execute(() -> waiter.future.completeExceptionally(failure));
    }

    private LockBackendException failure(String operation, String what, Exception cause) {
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

    @FunctionalInterface
    private interface IoTask<T> {
        T run() throws IOException;
    }

    private <T> CompletableFuture<T> onIo(String operation, String what, IoTask<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        io.execute(() -> {
            T result;
            try {
                result = task.run();
            } catch (IOException | RuntimeException e) {
                LockBackendException failure = failure(operation, what, e);
                CALLBACKS.execute(() -> future.completeExceptionally(failure));
                return;
            }
            CALLBACKS.execute(() -> future.complete(result));
        });
        return future;
    }

    @Override
    public String toString() {
        return "FileLockTable{" + directory + "}";
    }
}
