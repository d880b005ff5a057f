/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One queued acquisition's wait for the keys ahead of its own to go: steps 2 and 3 of {@link
 * EtcdAcquisition}'s recipe.
 *
 * <ul>
 *   <li>Near the head of the queue (at most {@link #WATCH_WHOLE_QUEUE_UP_TO} keys ahead), it
 *       follows the deletions of the lock's directory through the engine's shared {@link
 *       EtcdDirectoryWatch}: knowing the keys ahead as of a revision R, it joins without a request
 *       of its own when the watch's buffer of recent deletions reaches back to R; otherwise it reads
 *       its place once the watch is confirmed. When the last key ahead is deleted and its own key
 *       was not deleted before, its key was the oldest at that revision: the lock is its owner's.
 *   <li>Further back, it watches only the key before its own, with a watch of its own (no herd on
 *       long queues), and reads its place again on that key's deletion.
 *   <li>A read of its place: its own key and up to {@link #WATCH_WHOLE_QUEUE_UP_TO} + 1 keys
 *       created before it, in one read-only transaction. Its own key gone means its lease ended
 *       while it queued: it is never granted the lock on it (Jepsen's etcd 3.4.3 finding). A failed
 *       watch (connection lost, member without a leader) means a read and a fresh watch.
 * </ul>
 *
 * <p>It shares its acquisition's lock (the {@link Owner}'s), and tells the owner the outcome:
 * granted, key gone, or a step to retry. Nothing here blocks: every step is a callback.
 */
final class EtcdQueueWait implements EtcdDirectoryWatch.Follower, EtcdQueued {
    /**
     * A waiter with at most this many keys ahead of it follows the deletions in the whole directory
     * (through the engine's shared watch of it); one further back watches only its predecessor (no herd on long queues).
     */
    static final int WATCH_WHOLE_QUEUE_UP_TO = 16;

    /**
     * Deletions of one key, from the server's current revision (a synced watch, never caught up by
     * the 100 ms loop), with a notification once the server created it, failing when the member
     * loses its leader.
     */
    private static final WatchOption WATCH_DELETES = WatchOption.builder()
            .withNoPut(true)
            .withCreateNotify(true)
            .withRequireLeader(true)
            .build();

    /** The acquisition a wait belongs to: what the wait asks of it, and tells it. */
    interface Owner {
        /** Whether the acquisition has finished (granted, failed or cancelled); called under the shared lock. */
        boolean finished();

        /** A read of the place was answered: failures in a row end. Called under the shared lock. */
        void answered();

        /** If the acquisition's result is done already (cancelled), it finishes: true then. */
        boolean finishIfDone();

        /** No key is ahead any more: the lock is the owner's. */
        void grant();

        /** Nothing is in the way any more, as of {@code revision}: the grant's fencing token. */
        void grant(long revision);

        /** The owner's key vanished while it queued: it fails, and is never granted. */
        void keyGone();

        /** A step failed transiently: run it again after a growing delay, or fail after long failures. */
        void retryLater(Runnable step, Throwable failure);
    }

    private final Owner owner;
    /** The owner's lock: it guards this wait's state too. */
    private final ReentrantLock mutex;

    private final EtcdCalls calls;
    private final EtcdDirectoryWatches watches;
    private final ByteSequence directory;
    private final ByteSequence ownKey;
    /** The create revision of the owner's key. */
    private final long ownRevision;

    private final EtcdLease lease;
    // guarded by mutex
    /** Predecessor mode (more than {@link #WATCH_WHOLE_QUEUE_UP_TO} keys ahead): the watch of the key before ours. */
    private Watch.Watcher watcher;

    private ByteSequence watched;
    private long episode;
    /** Directory mode: the engine's shared watch of the directory we follow, or wait to follow. */
    private EtcdDirectoryWatch shared;
    /** Directory mode: the keys ahead of ours, as of a revision; null until known. */
    private EtcdKeysAhead ahead;

    /** The revision of the newest read of our place: an older answer that arrives later is ignored. */
    private long newestRead;

    EtcdQueueWait(
            Owner owner,
            ReentrantLock mutex,
            EtcdCalls calls,
            EtcdDirectoryWatches watches,
            ByteSequence directory,
            ByteSequence ownKey,
            long ownRevision,
            EtcdLease lease,
            long newestRead) {
        this.owner = owner;
        this.mutex = mutex;
        this.calls = calls;
        this.watches = watches;
        this.directory = directory;
        this.ownKey = ownKey;
        this.ownRevision = ownRevision;
        this.lease = lease;
        this.newestRead = newestRead;
    }

    /**
     * Starts waiting behind the keys the acquire transaction found ahead at {@code revision} (newest
     * first, {@code predecessor} the newest).
     */
    void start(Set<ByteSequence> keysAhead, ByteSequence predecessor, long revision) {
        if (keysAhead.size() <= WATCH_WHOLE_QUEUE_UP_TO) {
            // the answer lists the keys ahead at this revision: follow their deletions from here
            followDirectory(keysAhead, revision);
        } else {
            watchPredecessor(predecessor); // its confirmation triggers a read
        }
    }

    /**
     * Near the head of the queue: follow the deletions in the directory through the engine's shared
     * watch of it, knowing the keys ahead of ours as of {@code revision}. Joining needs no request
     * when the watch's buffer of recent deletions reaches back to that revision; otherwise the watch
     * asks for one read of our place once it can follow from it.
     */
    private void followDirectory(Set<ByteSequence> keysAhead, long revision) {
        while (true) {
            EtcdDirectoryWatch watch = watches.watch(directory);
            Watch.Watcher old;
            EtcdDirectoryWatch previous;
            mutex.lock();
            try {
                if (owner.finished() || watch == null) {
                    return; // finished, or the engine closes (and cancels this acquisition)
                }
                old = watcher;
                watcher = null;
                watched = null;
                episode++;
                previous = shared;
                shared = watch;
            } finally {
                mutex.unlock();
            }
            if (old != null) {
                old.close();
            }
            if (previous != null && previous != watch) {
                previous.leave(this);
            }
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
                case WAIT -> {
                    return; // the watch asks for a read once the server confirmed it
                }
                case LEFT -> {
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
            ahead = new EtcdKeysAhead(ownKey, keysAhead, revision);
            ahead.deleted(replay);
            return ahead.verdict();
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
            return ahead.verdict();
        } finally {
            mutex.unlock();
        }
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

    /**
     * Further back in the queue: watch only the key before ours, from the current revision; its
     * creation and the key's deletion each trigger a read.
     */
    private void watchPredecessor(ByteSequence target) {
        long myEpisode;
        Watch.Watcher old;
        EtcdDirectoryWatch left;
        mutex.lock();
        try {
            if (owner.finished()) {
                return;
            }
            old = watcher;
            myEpisode = ++episode;
            watched = target;
            watcher = null;
            left = shared;
            shared = null;
            ahead = null;
        } finally {
            mutex.unlock();
        }
        if (old != null) {
            old.close();
        }
        if (left != null) {
            left.leave(this);
        }
        Watch.Watcher opened;
        try {
            opened = calls.watchClient()
                    .watch(
                            target,
                            WATCH_DELETES,
                            Watch.listener(
                                    response -> onWatchEvent(myEpisode, response),
                                    error -> onWatchError(myEpisode, error),
                                    () -> {}));
        } catch (RuntimeException e) {
            onWatchError(myEpisode, e);
            return;
        }
        boolean keep;
        mutex.lock();
        try {
            keep = !owner.finished() && episode == myEpisode;
            if (keep) {
                watcher = opened;
            }
        } finally {
            mutex.unlock();
        }
        if (!keep) {
            opened.close();
        }
    }

    private void onWatchEvent(long myEpisode, WatchResponse response) {
        boolean read = response.isCreatedNotify();
        for (WatchEvent event : response.getEvents()) {
            read |= event.getEventType() == WatchEvent.EventType.DELETE;
        }
        if (!read) {
            return;
        }
        mutex.lock();
        try {
            if (owner.finished() || episode != myEpisode) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        recheck();
    }

    private void onWatchError(long myEpisode, Throwable error) {
        Watch.Watcher broken;
        mutex.lock();
        try {
            if (owner.finished() || episode != myEpisode) {
                return;
            }
            broken = watcher;
            watcher = null;
            watched = null;
            episode++;
        } finally {
            mutex.unlock();
        }
        if (broken != null) {
            broken.close();
        }
        // the connection or the member failed: re-read and watch again (perhaps through another member)
        owner.retryLater(this::recheck, error);
    }

    @Override
    public void act(EtcdDirectoryWatch.Verdict verdict) {
        switch (verdict) {
            case READ -> recheck();
            case GRANT -> owner.grant();
            case GONE -> owner.keyGone();
            case WAIT -> {}
        }
    }

    /**
     * One read-only transaction for our own key and the newest keys created before it (up to
     * {@link #WATCH_WHOLE_QUEUE_UP_TO} + 1): the keys ahead to follow in the shared directory watch,
     * or the predecessor to watch further back.
     */
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
        GetOption predecessors = GetOption.builder()
                .isPrefix(true)
                .withMaxCreateRevision(ownRevision - 1)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.DESCEND)
                .withLimit(WATCH_WHOLE_QUEUE_UP_TO + 1)
                .withKeysOnly(true)
                .build();
        calls.bounded(calls.kv()
                        .txn()
                        .Then(Op.get(ownKey, EtcdCalls.KEYS_ONLY), Op.get(directory, predecessors))
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
        List<GetResponse> reads = response.getGetResponses();
        List<KeyValue> own = reads.get(0).getKvs();
        List<KeyValue> before = reads.get(1).getKvs();
        mutex.lock();
        try {
            if (owner.finished() || revision < newestRead) {
                return; // an older read overtaken by a newer one
            }
            newestRead = revision;
            owner.answered();
            if (own.isEmpty() || own.get(0).getCreateRevision() != ownRevision) {
                before = null;
            } else if (!before.isEmpty()
                    && before.size() > WATCH_WHOLE_QUEUE_UP_TO
                    && watcher != null
                    && before.get(0).getKey().equals(watched)) {
                return; // still queued behind the key we watch
            }
        } finally {
            mutex.unlock();
        }
        if (before == null) {
            owner.keyGone();
        } else if (before.isEmpty()) {
            owner.grant();
        } else if (before.size() <= WATCH_WHOLE_QUEUE_UP_TO) {
            Set<ByteSequence> keysAhead = new HashSet<>();
            for (KeyValue kv : before) {
                keysAhead.add(kv.getKey());
            }
            followDirectory(keysAhead, revision);
        } else {
            watchPredecessor(before.get(0).getKey()); // its confirmation triggers the next read
        }
    }

    /** Stops waiting: closes the predecessor's watch and leaves the shared one. */
    @Override
    public void stop() {
        Watch.Watcher open;
        EtcdDirectoryWatch left;
        mutex.lock();
        try {
            open = watcher;
            watcher = null;
            watched = null;
            episode++;
            left = shared;
            shared = null;
        } finally {
            mutex.unlock();
        }
        if (open != null) {
            open.close();
        }
        if (left != null) {
            left.leave(this);
        }
    }

    @Override
    public String toString() {
        return "EtcdQueueWait{" + EtcdKeys.text(ownKey) + "}";
    }
}
