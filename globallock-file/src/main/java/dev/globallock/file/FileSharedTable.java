/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.EngineErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The semaphores and read-write locks of one lock directory as this JVM sees them, shared by every
 * file engine on that directory: one {@link SharedEntry} per file, waiters in FIFO order within the
 * JVM, and, between processes, the OS byte-range locks of {@link SharedLockFile}. A waiter whose
 * turn it is retries when a file-system notification for its file arrives (a holder touches the
 * file when it lets go) and otherwise after a back-off of 2 ms doubling up to {@code
 * max-poll-interval}, which catches a holder that crashed. Everything runs on one I/O thread per
 * directory; futures complete on the {@link CallbackPool}.
 */
final class FileSharedTable extends FileIoTable<SharedEntry> {
    private static final Map<Path, FileSharedTable> TABLES = new ConcurrentHashMap<>();
    static final String SEMAPHORE_SUFFIX = ".sem";
    static final String READ_WRITE_SUFFIX = ".rwlock";

    // ---- confined to the I/O thread
    private final Map<String, SharedEntry> entries = new HashMap<>();

    private FileSharedTable(Path directory) {
        super(directory, "globallock-file-shared-io");
    }

    static FileSharedTable of(Path realDirectory) {
        return TABLES.computeIfAbsent(realDirectory, FileSharedTable::new);
    }

    /** The file of a semaphore ({@code .sem}) or read-write lock ({@code .rwlock}) key. */
    static String fileName(AcquireMode mode, String key) {
        return LockFiles.fileName(key, mode == AcquireMode.PERMIT ? SEMAPHORE_SUFFIX : READ_WRITE_SUFFIX);
    }

    CompletableFuture<LockGrant> acquire(AcquireRequest request, FileLockEngine engine) {
        SharedEntry.Waiter waiter = new SharedEntry.Waiter(request, engine);
        io.execute(() -> firstAttempt(waiter));
        waiter.future.whenComplete((grant, failure) -> {
            if (waiter.future.isCancelled()) {
                io.execute(() -> abandon(waiter));
            }
        });
        return waiter.future;
    }

    CompletableFuture<Void> release(SharedGrant grant) {
        return onIo("release", grant.request.name(), () -> {
            SharedEntry entry = entries.get(grant.fileName);
            if (entry != null) {
                letGo(entry, grant);
            }
            return null;
        });
    }

    CompletableFuture<Set<LockGrant>> renew(Collection<SharedGrant> grants) {
        return onIo("renew", grants.size() + " lock(s)", () -> {
            Set<LockGrant> lost = new HashSet<>();
            for (SharedGrant grant : grants) {
                SharedEntry entry = entries.get(grant.fileName);
                if (entry == null || !entry.holds(grant)) {
                    lost.add(grant);
                }
            }
            return lost;
        });
    }

    /** The holders: this JVM's, and whether another process holds (counted as one). */
    CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
        return onIo("inspect", name, () -> {
            String fileName = fileName(mode, key);
            SharedEntry entry = entries.get(fileName);
            SharedLockFile file = entry != null ? entry.file : new SharedLockFile(directory.resolve(fileName));
            if (entry == null && !Files.exists(file.file)) {
                return LockInfo.free(name);
            }
            try {
                SharedLockFile.Record record = file.read();
                int holders;
                if (mode == AcquireMode.PERMIT) {
                    holders = entry == null ? 0 : entry.permitsHeld.size();
                    for (int i = 0; i < record.permits; i++) {
                        if ((entry == null || !heldHere(entry, i)) && file.busy(SharedLockFile.SLOTS + i, false)) {
                            holders++;
                        }
                    }
                } else if (entry != null && (entry.writer != null || !entry.readers.isEmpty())) {
                    holders = entry.writer != null ? 1 : entry.readers.size();
                } else {
                    holders = file.busy(SharedLockFile.DATA, false) ? 1 : 0;
                }
                return holders == 0
                        ? LockInfo.free(name)
                        : LockInfo.heldBy(name, holders, record.token, Optional.empty());
            } finally {
                if (entry == null) {
                    file.close();
                }
            }
        });
    }

    private static boolean heldHere(SharedEntry entry, int slot) {
        return entry.permitsHeld.stream().anyMatch(g -> g.slot.position() == SharedLockFile.SLOTS + slot);
    }

    /** Ends an engine's waits and lets go of its grants (closed, or abandoned as a crash would). */
    CompletableFuture<Void> dropAll(FileLockEngine engine) {
        return onIo("close", "every semaphore and read-write lock", () -> {
            for (SharedEntry entry : List.copyOf(entries.values())) {
                for (SharedEntry.Waiter waiter : List.copyOf(entry.waiters)) {
                    if (waiter.engine == engine) {
                        entry.waiters.remove(waiter);
                        fail(waiter, new IOException("the engine was closed"));
                    }
                }
                List<SharedGrant> held = new java.util.ArrayList<>(entry.permitsHeld);
                held.addAll(entry.readers);
                if (entry.writer != null) {
                    held.add(entry.writer);
                }
                for (SharedGrant grant : held) {
                    if (grant.engine == engine) {
                        entry.release(grant);
                    }
                }
                settle(entry, true);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------ internals

    private void firstAttempt(SharedEntry.Waiter waiter) {
        if (waiter.future.isDone()) {
            return;
        }
        AcquireRequest request = waiter.request;
        int permits = request.mode() == AcquireMode.PERMIT ? request.permits() : 0;
        String fileName = fileName(request.mode(), request.key());
        SharedEntry entry =
                entries.computeIfAbsent(fileName, name -> new SharedEntry(directory.resolve(name), name, permits));
        if (entry.permits != permits) {
            CALLBACKS.execute(() -> waiter.future.completeExceptionally(new IllegalArgumentException(
                    "permits of semaphore '" + request.name() + "' was '" + permits + "' but engine 'file' at file:"
                            + directory + " holds it with " + entry.permits + " permits (this process's holders):"
                            + " every user of a semaphore must give the same permits")));
            return;
        }
        if (entry.waiters.isEmpty() || entry.downgrades(request)) {
            if (attempt(entry, waiter)) {
                settle(entry, false);
                return;
            }
        }
        if (request.singleAttempt()) {
            CALLBACKS.execute(() -> waiter.future.complete(null));
        } else if (!waiter.future.isDone()) {
            entry.waiters.addLast(waiter);
        }
        settle(entry, false);
    }

    /** One attempt; true when the waiter is settled (granted or failed). */
    private boolean attempt(SharedEntry entry, SharedEntry.Waiter waiter) {
        SharedGrant grant;
        try {
            grant = entry.tryGrant(waiter);
        } catch (IOException | RuntimeException e) {
            fail(waiter, e);
            return true;
        }
        if (grant == null) {
            return false;
        }
        CALLBACKS.execute(() -> {
            if (!waiter.future.complete(grant)) {
                release(grant);
            }
        });
        return true;
    }

    private void abandon(SharedEntry.Waiter waiter) {
        SharedEntry entry = entries.get(fileName(waiter.request.mode(), waiter.request.key()));
        if (entry != null && entry.waiters.remove(waiter)) {
            settle(entry, false);
        }
    }

    private void letGo(SharedEntry entry, SharedGrant grant) throws IOException {
        boolean changed = entry.release(grant);
        settle(entry, changed);
    }

    /**
     * Brings an entry to rest after any change: grants the waiters first in line that fit, drops the
     * OS locks nobody needs, polls while waiters remain, and forgets an idle entry. {@code changed}:
     * locks were let go of, so other processes are woken.
     */
    private void settle(SharedEntry entry, boolean changed) {
        while (!entry.waiters.isEmpty()) {
            SharedEntry.Waiter head = entry.waiters.peekFirst();
            if (head.future.isDone() || attempt(entry, head)) {
                entry.waiters.pollFirst();
                continue;
            }
            break;
        }
        SharedEntry.Waiter head = entry.waiters.peekFirst();
        changed |= entry.dropUnneededLocks(head != null && SharedEntry.isWrite(head));
        if (!entry.waiters.isEmpty()) {
            startPolling(entry);
        } else {
            stopPolling(entry);
            if (entry.idle()) {
                entry.file.close();
                entries.remove(entry.fileName, entry);
            }
        }
        if (changed) {
            LockFileChannel.touch(entry.file.file);
        }
    }

    @Override
    void poll(SharedEntry entry) {
        entry.retry = null;
        if (entries.get(entry.fileName) != entry) {
            polling.remove(entry);
            return;
        }
        settle(entry, false);
        if (entry.retry != null && !entry.waiters.isEmpty()) {
            entry.retry.cancel(false);
            pollAgain(
                    entry,
                    entry.waiters.peekFirst().engine.config().maxPollInterval().toNanos());
        }
    }

    @Override
    void wake(Set<String> fileNames, boolean all) {
        for (SharedEntry entry : List.copyOf(polling)) {
            if (all || fileNames.contains(entry.fileName)) {
                if (entry.retry != null) {
                    entry.retry.cancel(false);
                    entry.retry = null;
                }
                long backoff = entry.backoffNanos;
                settle(entry, false);
                entry.backoffNanos = Math.max(FIRST_POLL_NANOS, backoff / 2);
            }
        }
    }

    private void fail(SharedEntry.Waiter waiter, Exception cause) {
        RuntimeException failure = cause instanceof IllegalArgumentException
                ? (IllegalArgumentException) cause
                : failure("acquire", waiter.request.name(), cause);
        CALLBACKS.execute(() -> waiter.future.completeExceptionally(failure));
    }

    @Override
    LockBackendException failure(String operation, String what, Exception cause) {
        String lock = what.endsWith(")") || what.startsWith("every") ? what : EngineErrors.lock(what);
        String message = cause.getMessage();
        return errors.failed(
                operation,
                lock,
                message == null
                        ? cause.getClass().getSimpleName()
                        : cause.getClass().getSimpleName() + ": " + message,
                cause);
    }

    @Override
    public String toString() {
        return "FileSharedTable{" + directory + "}";
    }
}
