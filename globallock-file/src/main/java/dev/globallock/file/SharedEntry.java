/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One semaphore or read-write lock as this JVM uses it: the file, the OS locks the JVM holds on it,
 * the JVM's holders and its FIFO queue of waiters. Decides one grant at a time ({@link #tryGrant});
 * the table runs the queue, the polling and the futures. Confined to the table's I/O thread.
 */
final class SharedEntry extends FileIoTable.Polled {
    final String fileName;
    final SharedLockFile file;
    /** The semaphore's permits as this JVM's users asked (0 for a read-write lock). */
    final int permits;

    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** The permits this JVM holds, each with its slot lock. */
    final Set<SharedGrant> permitsHeld = new LinkedHashSet<>();

    final Set<SharedGrant> readers = new LinkedHashSet<>();
    SharedGrant writer;
    /** The gate, held exclusively while this JVM's writer holds or waits at the head of the queue. */
    private FileLock gate;
    /** The data lock: shared while this JVM's readers hold, exclusive while its writer does. */
    private FileLock data;

    SharedEntry(Path file, String fileName, int permits) {
        this.file = new SharedLockFile(file);
        this.fileName = fileName;
        this.permits = permits;
    }

    static final class Waiter {
        final AcquireRequest request;
        final FileLockEngine engine;
        final CompletableFuture<LockGrant> future = new CompletableFuture<>();

        Waiter(AcquireRequest request, FileLockEngine engine) {
            this.request = request;
            this.engine = engine;
        }
    }

    boolean idle() {
        return permitsHeld.isEmpty() && readers.isEmpty() && writer == null && waiters.isEmpty();
    }

    boolean downgrades(AcquireRequest request) {
        return writer != null
                && request.downgrading().isPresent()
                && request.downgrading().get() == writer;
    }

    /**
     * One attempt for the waiter: the grant, or null when it must wait.
     *
     * @throws IllegalArgumentException when the semaphore's permits disagree with the request's
     */
    SharedGrant tryGrant(Waiter waiter) throws IOException {
        switch (waiter.request.mode()) {
            case PERMIT:
                return tryPermit(waiter);
            case WRITE:
                return tryWrite(waiter);
            default:
                return tryRead(waiter);
        }
    }

    private SharedGrant tryPermit(Waiter waiter) throws IOException {
        FileLock counter = file.tryLock(SharedLockFile.COUNTER, false);
        if (counter == null) {
            return null; // another process is in its moment of granting: poll again
        }
        try {
            SharedLockFile.Record record = file.read();
            if (record.permits != 0 && record.permits != permits && (!permitsHeld.isEmpty() || anySlotBusy(record))) {
                throw new IllegalArgumentException("permits of semaphore '" + waiter.request.name() + "' was '"
                        + permits + "' but engine 'file' at file:" + file.file.getParent() + " holds it with "
                        + record.permits + " permits (another process's holders): every user of a semaphore"
                        + " must give the same permits");
            }
            for (int i = 0; i < permits; i++) {
                if (slotHeldHere(i)) {
                    continue;
                }
                FileLock slot = file.tryLock(SharedLockFile.SLOTS + i, false);
                if (slot != null) {
                    long token = file.nextToken(
                            record, permits, waiter.engine.config().fsync());
                    SharedGrant grant = grant(waiter, token, slot);
                    permitsHeld.add(grant);
                    return grant;
                }
            }
            return null;
        } finally {
            SharedLockFile.release(counter);
        }
    }

    private boolean slotHeldHere(int i) {
        for (SharedGrant held : permitsHeld) {
            if (held.slot.position() == SharedLockFile.SLOTS + i) {
                return true;
            }
        }
        return false;
    }

    private boolean anySlotBusy(SharedLockFile.Record record) throws IOException {
        for (int i = 0; i < Math.max(record.permits, permits); i++) {
            if (file.busy(SharedLockFile.SLOTS + i, false)) {
                return true;
            }
        }
        return false;
    }

    private SharedGrant tryWrite(Waiter waiter) throws IOException {
        if (writer != null) {
            return null;
        }
        if (gate == null) {
            gate = file.tryLock(SharedLockFile.GATE, false); // from here on, new readers of every process wait
            if (gate == null) {
                return null;
            }
        }
        if (!readers.isEmpty()) {
            return null; // this JVM's readers leave first
        }
        FileLock counter = file.tryLock(SharedLockFile.COUNTER, false);
        if (counter == null) {
            return null;
        }
        try {
            SharedLockFile.release(data); // a shared lock nobody of this JVM holds any more
            data = file.tryLock(SharedLockFile.DATA, false);
            if (data == null) {
                return null; // readers of other processes hold it; the gate keeps new ones out
            }
            long token = file.nextToken(file.read(), 0, waiter.engine.config().fsync());
            writer = grant(waiter, token, null);
            return writer;
        } finally {
            SharedLockFile.release(counter);
        }
    }

    private SharedGrant tryRead(Waiter waiter) throws IOException {
        boolean downgrade = downgrades(waiter.request);
        if (!downgrade && (writer != null || gate != null)) {
            return null; // this JVM's writer holds or waits
        }
        FileLock passage = downgrade ? null : file.tryLock(SharedLockFile.GATE, true);
        if (!downgrade && passage == null) {
            return null; // another process's writer holds or waits
        }
        try {
            if (data == null) {
                data = file.tryLock(SharedLockFile.DATA, true);
                if (data == null) {
                    return null;
                }
            }
            FileLock counter = file.tryLock(SharedLockFile.COUNTER, false);
            if (counter == null) {
                return null;
            }
            try {
                long token =
                        file.nextToken(file.read(), 0, waiter.engine.config().fsync());
                SharedGrant grant = grant(waiter, token, null);
                readers.add(grant);
                return grant;
            } finally {
                SharedLockFile.release(counter);
            }
        } finally {
            SharedLockFile.release(passage);
        }
    }

    private SharedGrant grant(Waiter waiter, long token, FileLock slot) {
        long grantedAt = waiter.engine.ticker().read(); // the OS lock is held: the lease starts no later
        return new SharedGrant(fileName, token, waiter.request, waiter.engine, grantedAt, slot);
    }

    /** Whether the grant still holds here (its locks valid). */
    boolean holds(SharedGrant grant) {
        if (grant.slot != null) {
            return permitsHeld.contains(grant) && grant.slot.isValid();
        }
        return (writer == grant || readers.contains(grant)) && data != null && data.isValid();
    }

    /** Lets go of a grant; true when the OS locks changed (other processes should be woken). */
    boolean release(SharedGrant grant) throws IOException {
        if (grant.slot != null) {
            if (permitsHeld.remove(grant)) {
                SharedLockFile.release(grant.slot);
                return true;
            }
            return false;
        }
        if (writer == grant) {
            writer = null;
            SharedLockFile.release(data);
            data = null;
            if (!readers.isEmpty()) {
                // a downgrade: the gate still keeps everyone else out, so the data lock turns shared safely
                data = file.tryLock(SharedLockFile.DATA, true);
            }
            return true;
        }
        return readers.remove(grant);
    }

    /**
     * Drops the OS locks nobody needs any more: the gate when no writer of this JVM holds or waits
     * first in line, the data lock when nobody of this JVM holds. True when a lock was dropped.
     */
    boolean dropUnneededLocks(boolean writerWaitsFirst) {
        boolean dropped = false;
        if (gate != null && writer == null && !writerWaitsFirst) {
            SharedLockFile.release(gate);
            gate = null;
            dropped = true;
        }
        if (data != null && writer == null && readers.isEmpty()) {
            SharedLockFile.release(data);
            data = null;
            dropped = true;
        }
        return dropped;
    }

    static boolean isWrite(Waiter waiter) {
        return waiter.request.mode() == AcquireMode.WRITE;
    }
}
