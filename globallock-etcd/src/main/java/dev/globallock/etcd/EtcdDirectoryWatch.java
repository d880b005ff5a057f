/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one watch an engine keeps on a lock's directory while it has waiters there (and for a short
 * while after the last one left): deletions only, opened at the server's current revision, failing
 * when the member loses its leader. Every deletion goes to each local waiter that follows the
 * queue, and into a short buffer of recent deletions.
 *
 * <p>The buffer lets a waiter join without a request of its own: its acquire transaction lists the
 * keys ahead of it at revision R; a deletion after R either is in the buffer already (the event can
 * arrive before the transaction's answer: they travel on different streams) or arrives later. The
 * buffer proves it holds every deletion after {@link #coveredFrom}: the revision in the server's
 * confirmation of the watch (etcd starts a watch opened at the current revision right after the
 * revision it reports), raised to the revision of any deletion dropped from the full buffer. A
 * waiter whose R is older than that reads its place once more, as when it opened the watch itself.
 *
 * <p>Lock order: this watch's lock, then an acquisition's; an acquisition never calls in here
 * holding its own.
 */
final class EtcdDirectoryWatch {
    /** Deletions of the directory, from the server's current revision, confirmed, failing without a leader. */
    private static final WatchOption DELETIONS = WatchOption.builder()
            .isPrefix(true)
            .withNoPut(true)
            .withCreateNotify(true)
            .withRequireLeader(true)
            .build();
    /** How many recent deletions the buffer keeps. */
    static final int RECENT_DELETIONS = 64;
    /** How long the watch stays open after its last waiter left, for the next one. */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final EtcdCalls calls;
    private final EtcdRuntime runtime;
    /** Told when this watch retired or broke by itself, so that the next waiter opens a fresh one. */
    private final Consumer<EtcdDirectoryWatch> closedItself;

    final ByteSequence directory;

    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private Watch.Watcher watcher;
    /** Broken or retired: joins go to a fresh instance. */
    private boolean closed;
    /** -1 until the server confirmed the watch; then every deletion after it is in {@link #recent} or still to come. */
    private long coveredFrom = -1;

    private final ArrayDeque<KeyValue> recent = new ArrayDeque<>();
    /** Waiters that know the keys ahead of them and follow the deletions. */
    private final Set<Follower> following = new LinkedHashSet<>();
    /** Waiters that read their place again once the server confirmed the watch. */
    private final Set<Follower> pending = new LinkedHashSet<>();

    private long idleSince;

    /** The mod revision of the newest deletion this watch delivered, or 0 (for tests). */
    long newestDeletion() {
        lock.lock();
        try {
            return recent.isEmpty() ? 0 : recent.peekLast().getModRevision();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    EtcdDirectoryWatch(
            EtcdCalls calls, EtcdRuntime runtime, Consumer<EtcdDirectoryWatch> closedItself, ByteSequence directory) {
        this.calls = calls;
        this.runtime = runtime;
        this.closedItself = closedItself;
        this.directory = directory;
    }

    /** What a waiter does next: keep waiting, re-read, take the lock, or fail. */
    enum Verdict {
        WAIT,
        READ,
        GRANT,
        GONE
    }

    /**
     * A waiter that follows the queue through this watch. The first three methods are called under
     * this watch's lock (the waiter then takes its own), the others without it.
     */
    interface Follower {
        /** Whether this watch may (still) count the waiter among its own. */
        boolean joinable(EtcdDirectoryWatch watch);

        /** The waiter starts following: the keys ahead as of {@code revision}, and the deletions after it so far. */
        Verdict follow(EtcdDirectoryWatch watch, Set<ByteSequence> keysAhead, long revision, List<KeyValue> replay);

        /** The deletions of one watch response. */
        Verdict deleted(EtcdDirectoryWatch watch, List<KeyValue> deletions);

        /** The watch is confirmed now, after the waiter's revision: read the place again. */
        void readAgain(EtcdDirectoryWatch watch);

        /** The watch failed (connection, member without a leader): read again, then watch anew. */
        void directoryWatchFailed(EtcdDirectoryWatch watch, Throwable error);

        /** Acts on a verdict that {@link #deleted} returned. */
        void act(Verdict verdict);
    }

    /** What a joining waiter does next. */
    enum Join {
        /** It follows the deletions from here; the verdict of the replayed ones came with it. */
        FOLLOWING,
        /** Read the place again now: the buffer does not reach back to the waiter's revision. */
        READ,
        /** Wait: the server has not confirmed the watch yet; the waiter is asked to read once it has. */
        WAIT,
        /** This watch is closed: join a fresh one. */
        CLOSED,
        /** The waiter finished, or moved on meanwhile: nothing to do. */
        LEFT
    }

    /** Opens the watch; called once, by {@link EtcdDirectoryWatches}, right after creating this. */
    void open() {
        Watch.Watcher opened;
        try {
            opened = calls.watchClient()
                    .watch(directory, DELETIONS, Watch.listener(this::onResponse, this::onError, () -> {}));
        } catch (RuntimeException e) {
            onError(e);
            return;
        }
        boolean keep;
        lock.lock();
        try {
            keep = !closed;
            if (keep) {
                watcher = opened;
            }
        } finally {
            lock.unlock();
        }
        if (!keep) {
            opened.close();
        }
    }

    /**
     * A waiter that knows the keys ahead of it as of {@code revision} joins. When the buffer covers
     * every deletion after that revision, it follows from here: {@link Follower#follow} gets
     * the buffered deletions after the revision, under this watch's lock, so that no live deletion
     * comes between; its verdict is then the waiter's to act on.
     */
    Join join(Follower waiter, Set<ByteSequence> ahead, long revision, Verdict[] verdict) {
        lock.lock();
        try {
            if (closed) {
                return Join.CLOSED;
            }
            if (!waiter.joinable(this)) {
                following.remove(waiter);
                pending.remove(waiter);
                return Join.LEFT;
            }
            if (coveredFrom < 0) {
                following.remove(waiter);
                pending.add(waiter);
                return Join.WAIT;
            }
            if (coveredFrom > revision) {
                following.remove(waiter);
                pending.remove(waiter);
                return Join.READ;
            }
            List<KeyValue> replay = new ArrayList<>();
            for (KeyValue gone : recent) {
                if (gone.getModRevision() > revision) {
                    replay.add(gone);
                }
            }
            pending.remove(waiter);
            following.add(waiter);
            verdict[0] = waiter.follow(this, ahead, revision, replay);
            return Join.FOLLOWING;
        } finally {
            lock.unlock();
        }
    }

    /** A waiter stops following (granted, failed, cancelled, or watching its predecessor instead). */
    void leave(Follower waiter) {
        boolean idle;
        lock.lock();
        try {
            following.remove(waiter);
            pending.remove(waiter);
            idle = !closed && following.isEmpty() && pending.isEmpty();
            if (idle) {
                idleSince = runtime.now();
            }
        } finally {
            lock.unlock();
        }
        if (idle) {
            runtime.schedule(this::retireIfIdle, LINGER_NANOS);
        }
    }

    private void retireIfIdle() {
        Watch.Watcher open;
        lock.lock();
        try {
            if (closed
                    || !following.isEmpty()
                    || !pending.isEmpty()
                    || runtime.now() - idleSince < LINGER_NANOS - TimeUnit.MILLISECONDS.toNanos(10)) {
                return;
            }
            closed = true;
            open = watcher;
            watcher = null;
        } finally {
            lock.unlock();
        }
        closedItself.accept(this);
        if (open != null) {
            open.close();
        }
    }

    /** Closes the watch for good (the engine closes); its waiters are being cancelled. */
    void close() {
        Watch.Watcher open;
        lock.lock();
        try {
            closed = true;
            open = watcher;
            watcher = null;
            following.clear();
            pending.clear();
        } finally {
            lock.unlock();
        }
        if (open != null) {
            open.close();
        }
    }

    private void onResponse(WatchResponse response) {
        if (response.isCreatedNotify()) {
            List<Follower> read;
            lock.lock();
            try {
                if (closed || coveredFrom >= 0) {
                    return;
                }
                coveredFrom = response.getHeader().getRevision();
                read = new ArrayList<>(pending);
                pending.clear();
            } finally {
                lock.unlock();
            }
            for (Follower waiter : read) {
                waiter.readAgain(this);
            }
            return;
        }
        List<KeyValue> deletions = new ArrayList<>(response.getEvents().size());
        for (WatchEvent event : response.getEvents()) {
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                deletions.add(event.getKeyValue());
            }
        }
        if (deletions.isEmpty()) {
            return;
        }
        List<Follower> decided = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (KeyValue gone : deletions) {
                recent.addLast(gone);
                if (recent.size() > RECENT_DELETIONS) {
                    coveredFrom = Math.max(coveredFrom, recent.removeFirst().getModRevision());
                }
            }
            for (Follower waiter : following) {
                Verdict verdict = waiter.deleted(this, deletions);
                if (verdict != Verdict.WAIT) {
                    decided.add(waiter);
                    verdicts.add(verdict);
                }
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < decided.size(); i++) {
            decided.get(i).act(verdicts.get(i));
        }
    }

    private void onError(Throwable error) {
        List<Follower> told;
        Watch.Watcher broken;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            broken = watcher;
            watcher = null;
            told = new ArrayList<>(following);
            told.addAll(pending);
            following.clear();
            pending.clear();
        } finally {
            lock.unlock();
        }
        closedItself.accept(this);
        if (broken != null) {
            broken.close(); // no resumption by jetcd: the waiters read again and watch anew
        }
        for (Follower waiter : told) {
            waiter.directoryWatchFailed(this, error);
        }
    }

    @Override
    public String toString() {
        return "EtcdDirectoryWatch{" + EtcdKeys.text(directory) + "}";
    }
}
