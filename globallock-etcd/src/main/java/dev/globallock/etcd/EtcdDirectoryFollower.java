/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queued acquisition's wait that follows the deletions of its directory through the engine's
 * shared {@link EtcdDirectoryWatch} (one watch per directory and engine: no herd on the server),
 * knowing the keys ahead of its own as of a revision: it joins the watch (a fresh one if it closed
 * meanwhile), counts the deletions, leaves it on a failure to read its place again, and reads its
 * place (its own key and a listing of the directory, in one read-only transaction) when the watch
 * or the count asks for it. An older answer that arrives after a newer one is ignored; its own key
 * gone means its lease ended while it queued: it is never granted then.
 *
 * <p>The lock's wait ({@link EtcdQueueWait}) and a permit's, read's or write's ({@link
 * EtcdSharedWait}) differ in the listing they read, what they make of it, and whether a count
 * that reaches the end grants at once or is confirmed by a read first.
 *
 * <p>It shares its acquisition's lock (the {@link EtcdWaitOwner}'s), which guards its state;
 * the hooks marked so are called with that lock held. Nothing here blocks: every step is a callback.
 */
abstract class EtcdDirectoryFollower implements EtcdDirectoryWatch.Follower, EtcdQueued {
    final EtcdWaitOwner owner;
    /** The owner's lock: it guards this wait's state too. */
    final ReentrantLock mutex;

    final EtcdCalls calls;
    private final EtcdDirectoryWatches watches;
    final ByteSequence directory;
    final ByteSequence ownKey;
    /** The create revision of the owner's key. */
    final long ownRevision;

    final EtcdLease lease;
    /** The wait may go once fewer keys than this are ahead: 1 for a lock, N for a permit. */
    final int grantBelow;

    // guarded by mutex
    /** The engine's shared watch of the directory we follow, or wait to follow. */
    private EtcdDirectoryWatch shared;
    /** The keys ahead of ours, as of a revision; null until known. */
    private EtcdKeysAhead ahead;
    /** The revision of the newest read of our place: an older answer that arrives later is ignored. */
    private long newestRead;

    EtcdDirectoryFollower(EtcdQueuedKey queued, int grantBelow, long newestRead) {
        this.owner = queued.owner();
        this.mutex = queued.mutex();
        this.calls = queued.calls();
        this.watches = queued.watches();
        this.directory = queued.directory();
        this.ownKey = queued.ownKey();
        this.ownRevision = queued.ownRevision();
        this.lease = queued.lease();
        this.grantBelow = grantBelow;
        this.newestRead = newestRead;
    }

    /** Under the lock: the wait stops following what it follows now; a watch of its own to close, or null. */
    abstract Watch.Watcher leaving();

    /** Under the lock: what the wait does with a count's verdict before it acts on it. */
    EtcdDirectoryWatch.Verdict counted(EtcdDirectoryWatch.Verdict verdict) {
        return verdict;
    }

    /** No key is ahead any more, by the count of deletions. */
    abstract void noneAhead();

    /** What a read of our place lists of the directory, besides our own key. */
    abstract GetOption listing();

    /** Under the lock: a read with our key in place changes nothing (the wait is where it was). */
    boolean unchanged(List<KeyValue> listing) {
        return false;
    }

    /** A read at {@code revision} found our key in place, and {@code listing} in the directory. */
    abstract void placed(long revision, List<KeyValue> listing);

    /** Under the lock: forgets the keys ahead (a grant is confirmed by a read first). */
    final void forgetAhead() {
        ahead = null;
    }

    /** Under the lock: leaves the shared watch; the caller calls {@code leave} on what it returns, if not null. */
    final EtcdDirectoryWatch leaveDirectory() {
        EtcdDirectoryWatch left = shared;
        shared = null;
        ahead = null;
        return left;
    }

    /**
     * Follows the deletions in the directory through the engine's shared watch of it, knowing the
     * keys ahead of ours as of {@code revision}. Joining needs no request when the watch's buffer of
     * recent deletions reaches back to that revision; otherwise the watch asks for one read of our
     * place once it can follow from it.
     */
    final void followDirectory(Set<ByteSequence> keysAhead, long revision) {
        while (true) {
            EtcdDirectoryWatch watch = watches.watch(directory);
            Watch.Watcher old;
            EtcdDirectoryWatch previous;
            mutex.lock();
            try {
                if (owner.finished() || watch == null) {
                    return; // finished, or the engine closes (and cancels this acquisition)
                }
                old = leaving();
                previous = shared;
                shared = watch;
            } finally {
                mutex.unlock();
            }
            close(old, previous == watch ? null : previous);
            EtcdDirectoryWatch.Verdict[] verdict = new EtcdDirectoryWatch.Verdict[1];
            switch (watch.join(this, keysAhead, revision, verdict)) {
                case FOLLOWING -> {
                    act(verdict[0]);
                    return;
                }
                case READ -> {
                    recheck();
                    return;
                }
                case WAIT, LEFT -> {
                    return; // WAIT: the watch asks for a read once the server confirmed it
                }
                case CLOSED -> {
                    // retired or broken just now: join a fresh one
                }
            }
        }
    }

    @Override
    public final boolean joinable(EtcdDirectoryWatch watch) {
        mutex.lock();
        try {
            return !owner.finished() && shared == watch;
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public final EtcdDirectoryWatch.Verdict follow(
            EtcdDirectoryWatch watch, Set<ByteSequence> keysAhead, long revision, List<KeyValue> replay) {
        mutex.lock();
        try {
            if (owner.finished() || shared != watch) {
                return EtcdDirectoryWatch.Verdict.WAIT;
            }
            ahead = new EtcdKeysAhead(ownKey, keysAhead, revision, grantBelow);
            ahead.deleted(replay);
            return counted(ahead.verdict());
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public final EtcdDirectoryWatch.Verdict deleted(EtcdDirectoryWatch watch, List<KeyValue> deletions) {
        mutex.lock();
        try {
            if (owner.finished() || shared != watch || ahead == null) {
                return EtcdDirectoryWatch.Verdict.WAIT;
            }
            ahead.deleted(deletions);
            return counted(ahead.verdict());
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public final void readAgain(EtcdDirectoryWatch watch) {
        if (joinable(watch)) { // not finished, and still on this watch
            recheck();
        }
    }

    @Override
    public final void directoryWatchFailed(EtcdDirectoryWatch watch, Throwable error) {
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
    public final void act(EtcdDirectoryWatch.Verdict verdict) {
        switch (verdict) {
            case READ -> recheck();
            case GRANT -> noneAhead();
            case GONE -> owner.keyGone();
            case WAIT -> {}
        }
    }

    /** One read-only transaction: our own key, and the {@link #listing} of the directory. */
    @Override
    public final void recheck() {
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
                        .Then(Op.get(ownKey, EtcdCalls.KEYS_ONLY), Op.get(directory, listing()))
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
        List<KeyValue> listing = response.getGetResponses().get(1).getKvs();
        boolean inPlace = !own.isEmpty() && own.get(0).getCreateRevision() == ownRevision;
        mutex.lock();
        try {
            if (owner.finished() || revision < newestRead) {
                return; // an older read overtaken by a newer one
            }
            newestRead = revision;
            owner.answered();
            if (inPlace && unchanged(listing)) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        if (inPlace) {
            placed(revision, listing);
        } else {
            owner.keyGone();
        }
    }

    /** Stops waiting: closes a watch of its own and leaves the shared one. */
    @Override
    public final void stop() {
        Watch.Watcher open;
        EtcdDirectoryWatch left;
        mutex.lock();
        try {
            open = leaving();
            left = shared;
            shared = null;
        } finally {
            mutex.unlock();
        }
        close(open, left);
    }

    /** Without the lock: closes a watch of its own and leaves a shared one, either of which may be null. */
    final void close(Watch.Watcher own, EtcdDirectoryWatch left) {
        if (own != null) {
            own.close();
        }
        if (left != null) {
            left.leave(this);
        }
    }
}
