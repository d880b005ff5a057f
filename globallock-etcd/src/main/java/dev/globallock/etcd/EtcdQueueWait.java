/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
 * <p>The following of the directory is {@link EtcdDirectoryFollower}'s. It shares its acquisition's
 * lock (the {@link EtcdWaitOwner}'s), and tells the owner the outcome: granted, key gone, or a step to
 * retry. Nothing here blocks: every step is a callback.
 */
final class EtcdQueueWait extends EtcdDirectoryFollower {
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

    // guarded by mutex
    /** Predecessor mode (more than {@link #WATCH_WHOLE_QUEUE_UP_TO} keys ahead): the watch of the key before ours. */
    private Watch.Watcher watcher;

    private ByteSequence watched;
    private long episode;

    EtcdQueueWait(EtcdQueuedKey queued, long newestRead) {
        super(queued, 1, newestRead);
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

    /** Under the lock: closes the predecessor's watch (returned), if any; its events are stale from now. */
    @Override
    Watch.Watcher leaving() {
        Watch.Watcher old = watcher;
        watcher = null;
        watched = null;
        episode++;
        return old;
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
            left = leaveDirectory();
        } finally {
            mutex.unlock();
        }
        close(old, left);
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
        if (read && current(myEpisode)) {
            recheck();
        }
    }

    /** Whether the acquisition goes on and the predecessor's watch of {@code myEpisode} is still ours. */
    private boolean current(long myEpisode) {
        mutex.lock();
        try {
            return !owner.finished() && episode == myEpisode;
        } finally {
            mutex.unlock();
        }
    }

    private void onWatchError(long myEpisode, Throwable error) {
        Watch.Watcher broken;
        mutex.lock();
        try {
            if (owner.finished() || episode != myEpisode) {
                return;
            }
            broken = leaving();
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
    void noneAhead() {
        owner.grant();
    }

    /**
     * The newest keys created before ours (up to {@link #WATCH_WHOLE_QUEUE_UP_TO} + 1): the keys
     * ahead to follow in the shared directory watch, or the predecessor to watch further back.
     */
    @Override
    GetOption listing() {
        return GetOption.builder()
                .isPrefix(true)
                .withMaxCreateRevision(ownRevision - 1)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.DESCEND)
                .withLimit(WATCH_WHOLE_QUEUE_UP_TO + 1)
                .withKeysOnly(true)
                .build();
    }

    /** Under the lock: still queued behind the key we watch. */
    @Override
    boolean unchanged(List<KeyValue> before) {
        return !before.isEmpty()
                && before.size() > WATCH_WHOLE_QUEUE_UP_TO
                && watcher != null
                && before.get(0).getKey().equals(watched);
    }

    @Override
    void placed(long revision, List<KeyValue> before) {
        if (before.isEmpty()) {
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

    @Override
    public String toString() {
        return "EtcdQueueWait{" + EtcdKeys.text(ownKey) + "}";
    }
}
