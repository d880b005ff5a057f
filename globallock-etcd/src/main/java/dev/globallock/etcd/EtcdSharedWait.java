/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.AcquireMode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queued permit, read or write ({@link EtcdSharedKeys}): it follows the deletions of its
 * directory through the engine's shared {@link EtcdDirectoryWatch} (one watch per directory and
 * engine, whatever the number of waiters: no herd on the server), knowing the keys in its way as
 * of a revision. When few enough of them are left it reads the directory once more and is granted
 * if that read agrees, with that read's revision as its fencing token (greater than the token of
 * every grant that ended before, which its own create revision need not be: a reader that queued
 * behind a writer was created before the writer was granted). That read also sees a reader that
 * downgraded an older write meanwhile, which a writer must wait for too.
 *
 * <p>It shares its acquisition's lock (the {@link EtcdQueueWait.Owner}'s). Nothing here blocks.
 */
final class EtcdSharedWait implements EtcdDirectoryWatch.Follower, EtcdQueued {
    private final EtcdQueueWait.Owner owner;
    private final ReentrantLock mutex;
    private final EtcdCalls calls;
    private final EtcdDirectoryWatches watches;
    private final ByteSequence directory;
    private final ByteSequence ownKey;
    private final long ownRevision;
    private final EtcdLease lease;
    private final AcquireMode mode;
    private final int grantBelow;

    // guarded by mutex
    private EtcdDirectoryWatch shared;
    private EtcdKeysAhead ahead;
    private long newestRead;

    EtcdSharedWait(
            EtcdQueueWait.Owner owner,
            ReentrantLock mutex,
            EtcdCalls calls,
            EtcdDirectoryWatches watches,
            ByteSequence directory,
            ByteSequence ownKey,
            long ownRevision,
            EtcdLease lease,
            AcquireMode mode,
            int permits,
            long newestRead) {
        this.owner = owner;
        this.mutex = mutex;
        this.calls = calls;
        this.watches = watches;
        this.directory = directory;
        this.ownKey = ownKey;
        this.ownRevision = ownRevision;
        this.lease = lease;
        this.mode = mode;
        this.grantBelow = EtcdSharedKeys.grantBelow(mode, permits);
        this.newestRead = newestRead;
    }

    /** Starts following the deletions of the keys in the way as of {@code revision}. */
    void start(Set<ByteSequence> inTheWay, long revision) {
        followDirectory(inTheWay, revision);
    }

    private void followDirectory(Set<ByteSequence> inTheWay, long revision) {
        while (true) {
            EtcdDirectoryWatch watch = watches.watch(directory);
            EtcdDirectoryWatch previous;
            mutex.lock();
            try {
                if (owner.finished() || watch == null) {
                    return;
                }
                previous = shared;
                shared = watch;
                ahead = null;
            } finally {
                mutex.unlock();
            }
            if (previous != null && previous != watch) {
                previous.leave(this);
            }
            EtcdDirectoryWatch.Verdict[] verdict = new EtcdDirectoryWatch.Verdict[1];
            switch (watch.join(this, inTheWay, revision, verdict)) {
                case FOLLOWING -> {
                    act(verdict[0]);
                    return;
                }
                case READ -> {
                    recheck();
                    return;
                }
                case WAIT, LEFT -> {
                    return;
                }
                case CLOSED -> {
                    // retired or broken just now: join a fresh one
                }
            }
        }
    }

    @Override
    public boolean joinable(EtcdDirectoryWatch watch) {
        mutex.lock();
        try {
            return !owner.finished() && shared == watch;
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public EtcdDirectoryWatch.Verdict follow(
            EtcdDirectoryWatch watch, Set<ByteSequence> keysAhead, long revision, List<KeyValue> replay) {
        mutex.lock();
        try {
            if (owner.finished() || shared != watch) {
                return EtcdDirectoryWatch.Verdict.WAIT;
            }
            ahead = new EtcdKeysAhead(ownKey, keysAhead, revision, grantBelow);
            ahead.deleted(replay);
            return verdict();
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public EtcdDirectoryWatch.Verdict deleted(EtcdDirectoryWatch watch, List<KeyValue> deletions) {
        mutex.lock();
        try {
            if (owner.finished() || shared != watch || ahead == null) {
                return EtcdDirectoryWatch.Verdict.WAIT;
            }
            ahead.deleted(deletions);
            return verdict();
        } finally {
            mutex.unlock();
        }
    }

    /** Under the mutex: a grant is confirmed by a read (once: further deletions wait for it). */
    private EtcdDirectoryWatch.Verdict verdict() {
        EtcdDirectoryWatch.Verdict verdict = ahead.verdict();
        if (verdict == EtcdDirectoryWatch.Verdict.GRANT) {
            ahead = null;
            return EtcdDirectoryWatch.Verdict.READ;
        }
        return verdict;
    }

    @Override
    public void readAgain(EtcdDirectoryWatch watch) {
        mutex.lock();
        try {
            if (owner.finished() || shared != watch) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        recheck();
    }

    @Override
    public void directoryWatchFailed(EtcdDirectoryWatch watch, Throwable error) {
        mutex.lock();
        try {
            if (owner.finished() || shared != watch) {
                return;
            }
            shared = null;
            ahead = null;
        } finally {
            mutex.unlock();
        }
        owner.retryLater(this::recheck, error);
    }

    @Override
    public void act(EtcdDirectoryWatch.Verdict verdict) {
        switch (verdict) {
            case READ, GRANT -> recheck();
            case GONE -> owner.keyGone();
            case WAIT -> {}
        }
    }

    /** One read-only transaction: our own key, and the whole directory with the kinds. */
    @Override
    public void recheck() {
        mutex.lock();
        try {
            if (owner.finished()) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        calls.bounded(calls.kv()
                        .txn()
                        .Then(Op.get(ownKey, EtcdCalls.KEYS_ONLY), Op.get(directory, EtcdSharedKeys.WHOLE_DIRECTORY))
                        .commit())
                .whenComplete(this::onRecheck);
    }

    private void onRecheck(TxnResponse response, Throwable failure) {
        if (owner.finishIfDone()) {
            return;
        }
        if (failure != null) {
            if (lease.isDead()) {
                owner.keyGone();
            } else {
                owner.retryLater(this::recheck, failure);
            }
            return;
        }
        long revision = response.getHeader().getRevision();
        List<KeyValue> own = response.getGetResponses().get(0).getKvs();
        List<KeyValue> all = response.getGetResponses().get(1).getKvs();
        mutex.lock();
        try {
            if (owner.finished() || revision < newestRead) {
                return; // an older read overtaken by a newer one
            }
            newestRead = revision;
            owner.answered();
        } finally {
            mutex.unlock();
        }
        if (own.isEmpty() || own.get(0).getCreateRevision() != ownRevision) {
            owner.keyGone();
            return;
        }
        Set<ByteSequence> inTheWay = EtcdSharedKeys.inTheWay(mode, ownRevision, ownKey, all);
        if (inTheWay.size() < grantBelow) {
            owner.grant(revision);
        } else {
            followDirectory(inTheWay, revision);
        }
    }

    @Override
    public void stop() {
        EtcdDirectoryWatch left;
        mutex.lock();
        try {
            left = shared;
            shared = null;
            ahead = null;
        } finally {
            mutex.unlock();
        }
        if (left != null) {
            left.leave(this);
        }
    }

    @Override
    public String toString() {
        return "EtcdSharedWait{" + EtcdKeys.text(ownKey) + ", " + mode + "}";
    }
}
