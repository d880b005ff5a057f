/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.AcquireRequest;
import io.etcd.jetcd.ByteSequence;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What one {@link EtcdAcquisition} knows and has left on the server: its lease, its key (name, slot,
 * create revision, whether it may exist), the session lease of an acquire transaction that got no
 * answer, whether it has finished, its wait, its retry delays; and the atomic steps that change
 * them: the grant (the key becomes the lock), and the removal of the key once the acquisition ends
 * otherwise, which waits for a permit's, read's or write's acquire transaction on its way (its
 * delete could overtake the put, which would then leave a key queued for nobody).
 *
 * <p>Thread-safe: each method is atomic under {@link #mutex}, which the acquisition's wait shares
 * ({@link EtcdQueueWait}, {@link EtcdSharedWait}); the methods the wait calls with the lock held
 * say so. Nothing here does I/O or blocks beyond that lock: what must reach the server is returned
 * to the acquisition to run.
 */
final class EtcdAcquisitionState {
    /** The delay {@link #retryDelay} returns when the acquisition has finished: nothing to retry. */
    static final long FINISHED = -2;

    /** Guards this state and the acquisition's wait. */
    final ReentrantLock mutex = new ReentrantLock();

    private final EtcdParts parts;
    private final AcquireRequest request;
    private final ByteSequence directory;
    private final boolean shared;

    // guarded by mutex
    private EtcdLease lease;
    private ByteSequence ownKey;
    private int slot = -1;
    private long ownRevision;
    private boolean keyMayExist;
    /** The session lease of an acquire transaction that got no answer: it may still land. */
    private EtcdLease uncertainLease;

    private boolean finished;
    private boolean cleanedUp;
    /** Steps 2 and 3, once our key queued; null before, and once stopped. */
    private EtcdQueued wait;
    /**
     * The acquire transaction is on its way: a cleanup waits for its answer, so that its delete
     * cannot reach the server before the put it removes (which would then stay, queued for nobody,
     * on a session lease that lives as long as the engine).
     */
    private boolean txnInFlight;
    /** What a cleanup that waits for the acquire transaction's answer runs afterwards; null if none. */
    private Runnable cleanUpAfterTxn;
    /** A downgrade's write grant, while it is known to hold; null otherwise. */
    private EtcdGrant downgrading;

    private final EtcdRetryDelays retries;

    EtcdAcquisitionState(
            EtcdParts parts, AcquireRequest request, ByteSequence directory, boolean shared, EtcdGrant downgrading) {
        this.parts = parts;
        this.request = request;
        this.directory = directory;
        this.shared = shared;
        this.downgrading = downgrading;
        this.retries = new EtcdRetryDelays(parts.giveUpAfterNanos());
    }

    /** The lease our key goes on; read by the step that follows the one that set it. */
    EtcdLease lease() {
        return lease;
    }

    /** Our key; null until the first lease. */
    ByteSequence ownKey() {
        return ownKey;
    }

    /**
     * A lease was granted: our key goes on it; the first one also names our key (a slot of the
     * directory). Finished if {@code result} is done already.
     */
    void leased(EtcdLease granted, Future<?> result) {
        mutex.lock();
        try {
            lease = granted;
            if (ownKey == null) {
                slot = parts.slots().take(directory);
                ownKey = EtcdKeys.ownKey(directory, parts.slots().engineId(), slot);
            }
            if (finished || result.isDone()) {
                finished = true;
            }
        } finally {
            mutex.unlock();
        }
    }

    /** The acquire transaction is about to be sent: our key, or null if finished (send nothing). */
    ByteSequence sending() {
        mutex.lock();
        try {
            if (finished) {
                return null;
            }
            keyMayExist = true;
            txnInFlight = true;
            return ownKey;
        } finally {
            mutex.unlock();
        }
    }

    /** A downgrade's write grant, while it is known to hold; null otherwise. */
    EtcdGrant downgrading() {
        mutex.lock();
        try {
            return downgrading;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * The acquire transaction was answered (or failed): the cleanup that waited for that, or null.
     * A failure other than a missing lease may still land then.
     */
    Runnable txnAnswered(Throwable failure) {
        mutex.lock();
        try {
            txnInFlight = false;
            Runnable then = cleanUpAfterTxn;
            cleanUpAfterTxn = null;
            if (then != null && failure != null && !EtcdErrors.leaseNotFound(failure) && lease.session) {
                uncertainLease = lease; // no answer: the put may still land
            }
            return then;
        } finally {
            mutex.unlock();
        }
    }

    /** The acquire transaction wrote nothing (its lease was not found). */
    void notWritten() {
        mutex.lock();
        try {
            keyMayExist = false;
        } finally {
            mutex.unlock();
        }
    }

    /** The acquire transaction got no answer: the put on the session lease may have landed, or land later. */
    void mayHaveLanded() {
        mutex.lock();
        try {
            uncertainLease = lease;
        } finally {
            mutex.unlock();
        }
    }

    /** The write grant a read downgrades is gone, and our key was not written: an ordinary read now. */
    void downgradeGone() {
        mutex.lock();
        try {
            downgrading = null;
            keyMayExist = false;
        } finally {
            mutex.unlock();
        }
    }

    /** Our key exists, created at {@code revision}; {@code answer} if the transaction that created it said so. */
    void placed(long revision, boolean answer) {
        mutex.lock();
        try {
            ownRevision = revision;
            if (answer) {
                retries.answered();
            }
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Our key queued: the wait for the keys ahead of it starts ({@code owner} is told its outcome),
     * and {@code waiter}'s lease is kept alive while it lasts. Null when finished meanwhile; the wait
     * already started if there is one.
     *
     * @param newestRead the revision of the newest read of our place so far, or 0
     */
    EtcdQueued startWaiting(EtcdWaitOwner owner, EtcdLease.Waiter waiter, long newestRead) {
        EtcdQueued started;
        mutex.lock();
        try {
            if (finished) {
                return null;
            }
            if (wait != null) {
                return wait;
            }
            EtcdQueuedKey queued = new EtcdQueuedKey(
                    owner, mutex, parts.calls(), parts.watches(), directory, ownKey, ownRevision, lease);
            started = shared
                    ? new EtcdSharedWait(queued, request.mode(), request.permits(), newestRead)
                    : new EtcdQueueWait(queued, newestRead);
            wait = started;
        } finally {
            mutex.unlock();
        }
        parts.sessions().waiterQueued(lease, waiter);
        return started;
    }

    /** The wait, which it took away (null if none): the caller stops it. */
    EtcdQueued takeWait() {
        mutex.lock();
        try {
            EtcdQueued stopped = wait;
            wait = null;
            return stopped;
        } finally {
            mutex.unlock();
        }
    }

    /** Whether finished (granted, failed or cancelled); the wait calls it with the lock held. */
    boolean finished() {
        return finished;
    }

    /** A read was answered: the failures in a row end. The wait calls it with the lock held. */
    void answered() {
        retries.answered();
    }

    /**
     * A step failed transiently at {@code now}: the delay before it runs again, -1 when failures
     * have gone on too long (give up), or {@link #FINISHED}.
     */
    long retryDelay(long now) {
        mutex.lock();
        try {
            return finished ? FINISHED : retries.next(now);
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Granted: the key is now the lock ({@code release()} removes it, not the cleanup); the fencing
     * token is {@code revision} if greater than our key's create revision. Null if finished already.
     */
    EtcdGrant grant(long revision) {
        mutex.lock();
        try {
            if (finished) {
                return null;
            }
            finished = true;
            cleanedUp = true;
            return new EtcdGrant(
                    request.name(),
                    directory,
                    slot,
                    ownKey,
                    lease,
                    ownRevision,
                    request.listener(),
                    uncertainLease,
                    Math.max(ownRevision, revision));
        } finally {
            mutex.unlock();
        }
    }

    /** Finishes; false if it had finished and cleaned up already (failing now would change nothing). */
    boolean finishToFail() {
        mutex.lock();
        try {
            if (finished && cleanedUp) {
                return false;
            }
            finished = true;
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /** Finishes; false if it had finished already. */
    boolean finishFirst() {
        mutex.lock();
        try {
            if (finished) {
                return false;
            }
            finished = true;
            return true;
        } finally {
            mutex.unlock();
        }
    }

    void finish() {
        mutex.lock();
        try {
            finished = true;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Finishes, and returns what removes what it left on the server and then runs {@code then}
     * (only {@code then} if nothing is left, or it was removed already); null while the acquire
     * transaction is on its way: its answer runs the removal then ({@link #txnAnswered}). The caller stops the wait before it runs what is returned.
     */
    Runnable cleanUp(Runnable then) {
        ByteSequence key = null; // set when the key may have been written
        EtcdLease on = null;
        EtcdLease uncertain = null;
        long revision = 0;
        int taken = -1;
        mutex.lock();
        try {
            finished = true;
            if (!cleanedUp && txnInFlight) {
                Runnable before = cleanUpAfterTxn;
                cleanUpAfterTxn = before == null
                        ? then
                        : () -> {
                            before.run();
                            then.run();
                        };
                return null;
            }
            if (!cleanedUp) {
                cleanedUp = true;
                key = keyMayExist ? ownKey : null;
                on = lease;
                uncertain = uncertainLease;
                revision = ownRevision;
                taken = slot;
            }
        } finally {
            mutex.unlock();
        }
        if (on == null) {
            return then;
        }
        ByteSequence removed = key;
        EtcdLease onLease = on;
        EtcdLease uncertainOn = uncertain;
        long createdAt = revision;
        int freed = taken;
        return () -> parts.removal()
                .cleanUp(request.name(), directory, freed, removed, onLease, uncertainOn, createdAt, then);
    }
}
