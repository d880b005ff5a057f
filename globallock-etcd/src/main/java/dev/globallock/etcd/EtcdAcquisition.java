package dev.globallock.etcd;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One acquisition, as a small state machine driven by jetcd's callbacks: etcd's mutex recipe.
 *
 * <ol>
 *   <li>One transaction: if the acquisition's own key does not exist, put it on the lease and list
 *       the newest keys of the lock's directory (names only, up to {@link #WATCH_WHOLE_QUEUE_UP_TO}
 *       + 2). Alone there: the lock is ours (the uncontended acquire is this one round trip).
 *       Otherwise the answer lists the keys ahead of ours at the transaction's revision R.
 *   <li>Wait, near the head of the queue: join the engine's shared watch of the directory ({@link
 *       EtcdDirectoryWatch}: deletions only, opened at the server's current revision, so never
 *       caught up by etcd's 100 ms loop for watches opened at a past revision). When that watch is
 *       confirmed and its buffer of recent deletions reaches back to R, the waiter takes the keys
 *       ahead from its own answer and the deletions after R from the buffer: no request of its own.
 *       Otherwise (the first waiter, who opens the watch; a buffer that overflowed) it reads its own
 *       key and the keys created before it once the watch is confirmed, and follows from that
 *       read's revision: a deletion before it is seen by the read, one after it by the watch.
 *   <li>Follow the deletions: the watch delivers every deletion of the directory in revision order.
 *       When the last key ahead of ours is deleted and our own key was not deleted before it, ours
 *       was the oldest key at that revision: the lock is ours, with no further request. Our key
 *       deleted means our lease ended while we queued: we are never granted the lock on it
 *       (Jepsen's etcd 3.4.3 finding). A waiter with more than {@link #WATCH_WHOLE_QUEUE_UP_TO}
 *       keys ahead watches only the key before it instead, with a watch of its own (no herd on long
 *       queues), and re-reads on its deletion, until it is that close to the head. A failed watch
 *       (connection lost, member without a leader) means a read and a fresh watch.
 * </ol>
 *
 * Cancellation (wait time, interrupt, cancel) deletes our key, or revokes the acquisition's own
 * lease, so no queued key is ever granted to nobody. Nothing here blocks: every step is a callback.
 */
final class EtcdAcquisition {
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A waiter with at most this many keys ahead of it follows the deletions in the whole directory
     * (through the engine's shared watch of it); one further back watches only its predecessor (no herd on long queues).
     */
    static final int WATCH_WHOLE_QUEUE_UP_TO = 16;
    /** How many keys the acquire transaction reads: our own and up to 17 ahead of it. */
    static final int NEWEST_KEYS_LIMIT = WATCH_WHOLE_QUEUE_UP_TO + 2;

    /**
     * The newest keys of a directory, by create revision, names only: read in the acquire
     * transaction right after the put, so our own key and up to {@link #WATCH_WHOLE_QUEUE_UP_TO} + 1
     * keys ahead of it.
     */
    private static final GetOption NEWEST_KEYS = GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.DESCEND)
            .withLimit(NEWEST_KEYS_LIMIT)
            .withKeysOnly(true)
            .build();
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

    private final EtcdLockEngine engine;
    private final AcquireRequest request;
    private final ByteSequence directory;
    /**
     * Its first task starts the acquisition: on the caller that waits for it, else on the thread
     * that dispatches it (only asynchronous calls either way). Delivered from the gRPC threads to
     * that caller, or completed on the callback pool.
     */
    final CallerRunsFuture<LockGrant> result = new CallerRunsFuture<>(EtcdLockEngine.CALLER_RUNS);

    private final ReentrantLock mutex = new ReentrantLock();
    // guarded by mutex
    private EtcdLease lease;
    private ByteSequence ownKey;
    private int slot = -1;
    private long ownRevision;
    private boolean keyMayExist;
    /** The session lease of an acquire transaction that got no answer: it may still land. */
    private EtcdLease uncertainLease;

    private boolean waiting;
    private boolean finished;
    private boolean cleanedUp;
    /** Predecessor mode (more than {@link #WATCH_WHOLE_QUEUE_UP_TO} keys ahead): the watch of the key before ours. */
    private Watch.Watcher watcher;

    private ByteSequence watched;
    private long episode;
    /** Directory mode: the engine's shared watch of the directory we follow, or wait to follow. */
    private EtcdDirectoryWatch shared;
    /** Directory mode: the keys ahead of ours, as of {@link #aheadRevision}; null until known. */
    private Set<ByteSequence> ahead;

    private long aheadRevision;
    private boolean ownKeyDeleted;

    private long newestRead;
    private long backoffNanos;
    private int freshLeases;
    private long failingSinceNanos;

    EtcdAcquisition(EtcdLockEngine engine, AcquireRequest request) {
        this.engine = engine;
        this.request = request;
        this.directory = EtcdKeys.lockPrefix(engine.namespace(), request.key());
        result.onCancel(this::finish).defer(onCaller -> start());
    }

    String name() {
        return request.name();
    }

    private void start() {
        if (result.isDone()) {
            return; // cancelled before it started: nothing to undo
        }
        engine.leaseFor(request).whenComplete(this::onLease);
    }

    private void onLease(EtcdLease granted, Throwable failure) {
        if (failure != null) {
            if (!request.singleAttempt() && EtcdErrors.transientFailure(failure) && !result.isDone()) {
                retryLater(() -> engine.leaseFor(request).whenComplete(this::onLease), "obtain a lease for", failure);
                return;
            }
            fail("obtain a lease for", failure);
            return;
        }
        mutex.lock();
        try {
            lease = granted;
            if (ownKey == null) {
                slot = engine.takeSlot(directory);
                ownKey = EtcdKeys.ownKey(directory, engine.engineId(), slot);
            }
            if (finished || result.isDone()) {
                finished = true;
            }
        } finally {
            mutex.unlock();
        }
        if (result.isDone()) {
            finish();
            return;
        }
        sendAcquireTxn();
    }

    /** Step 1: put our key if absent and read the newest keys of the directory, names only. */
    private void sendAcquireTxn() {
        ByteSequence key;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            keyMayExist = true;
            key = ownKey;
        } finally {
            mutex.unlock();
        }
        EtcdDirectKv direct = engine.directKv();
        CompletableFuture<TxnResponse> sent = direct != null
                ? direct.acquire(key, lease.id, directory, NEWEST_KEYS_LIMIT)
                : engine.kv()
                        .txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(key, ByteSequence.EMPTY, lease.putOnLease), Op.get(directory, NEWEST_KEYS))
                        .Else(Op.get(key, EtcdLockEngine.KEYS_ONLY))
                        .commit();
        engine.bounded(sent).whenComplete(this::onAcquireTxn);
    }

    private void onAcquireTxn(TxnResponse response, Throwable failure) {
        if (failure != null && EtcdErrors.leaseNotFound(failure) && freshLeases < 2) {
            // the session lease ended before the watchdog noticed; the transaction wrote nothing
            freshLeases++;
            engine.leaseDead(lease);
            mutex.lock();
            try {
                keyMayExist = false;
            } finally {
                mutex.unlock();
            }
            engine.leaseFor(request).whenComplete(this::onLease);
            return;
        }
        if (failure != null) {
            if (!EtcdErrors.leaseNotFound(failure) && lease.session) {
                // no answer is not a "no": the put may have landed, or may land later
                mutex.lock();
                try {
                    uncertainLease = lease;
                } finally {
                    mutex.unlock();
                }
            }
            if (!request.singleAttempt() && EtcdErrors.transientFailure(failure) && !lease.isDead()) {
                // the guarded put is safe to repeat: if the first one landed, the Else branch finds our key
                retryLater(this::sendAcquireTxn, "acquire", failure);
                return;
            }
            fail("acquire", failure);
            return;
        }
        if (result.isDone()) {
            finish();
            return;
        }
        if (!response.isSucceeded()) {
            // a repeated attempt whose first try had landed: our key exists; find where it stands
            List<KeyValue> own = response.getGetResponses().get(0).getKvs();
            if (own.isEmpty()) {
                queuedKeyGone();
                return;
            }
            mutex.lock();
            try {
                ownRevision = own.get(0).getCreateRevision();
            } finally {
                mutex.unlock();
            }
            startWaiting();
            recheck();
            return;
        }
        long revision = response.getHeader().getRevision();
        List<KeyValue> newest = response.getGetResponses().get(0).getKvs();
        mutex.lock();
        try {
            ownRevision = revision;
            newestRead = revision;
            failingSinceNanos = 0;
            backoffNanos = 0;
        } finally {
            mutex.unlock();
        }
        // the keys created before ours, newest first (ours, created by this transaction, comes first)
        Set<ByteSequence> before = null;
        ByteSequence predecessor = null;
        for (KeyValue kv : newest) {
            if (kv.getCreateRevision() < revision) {
                if (predecessor == null) {
                    predecessor = kv.getKey();
                    before = new HashSet<>();
                }
                before.add(kv.getKey());
            }
        }
        if (predecessor == null) {
            grant();
        } else if (request.singleAttempt()) {
            cleanUpThen(() -> result.deliver(null));
        } else {
            startWaiting();
            if (before.size() <= WATCH_WHOLE_QUEUE_UP_TO) {
                // the answer lists the keys ahead at this revision: follow their deletions from here
                followDirectory(before, revision);
            } else {
                watchPredecessor(predecessor); // its confirmation triggers a read
            }
        }
    }

    private void startWaiting() {
        mutex.lock();
        try {
            if (finished || waiting) {
                return;
            }
            waiting = true;
        } finally {
            mutex.unlock();
        }
        engine.waiterQueued(lease, this);
    }

    /**
     * Step 2, near the head of the queue: follow the deletions in the directory through the engine's
     * shared watch of it, knowing the keys ahead of ours as of {@code revision}. Joining needs no
     * request when the watch's buffer of recent deletions reaches back to that revision; otherwise
     * the watch asks for one read of our place once it can follow from it.
     */
    private void followDirectory(Set<ByteSequence> keysAhead, long revision) {
        while (true) {
            EtcdDirectoryWatch watch = engine.directoryWatch(directory);
            Watch.Watcher old;
            EtcdDirectoryWatch previous;
            mutex.lock();
            try {
                if (finished || watch == null) {
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
            Verdict[] verdict = new Verdict[1];
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

    /** Whether a shared watch may (still) count this waiter among its own: called under its lock. */
    boolean joinable(EtcdDirectoryWatch watch) {
        mutex.lock();
        try {
            return !finished && shared == watch;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Called by the shared watch, under its lock, as this waiter starts following it: the keys ahead
     * as of {@code revision}, and the deletions after that revision the watch has seen already.
     */
    Verdict follow(EtcdDirectoryWatch watch, Set<ByteSequence> keysAhead, long revision, List<KeyValue> replay) {
        mutex.lock();
        try {
            if (finished || shared != watch) {
                return Verdict.WAIT;
            }
            ahead = new HashSet<>(keysAhead);
            aheadRevision = revision;
            ownKeyDeleted = false;
            for (KeyValue gone : replay) {
                deleted(gone);
            }
            return verdict();
        } finally {
            mutex.unlock();
        }
    }

    /** Called by the shared watch, under its lock, with the deletions of one watch response. */
    Verdict deleted(EtcdDirectoryWatch watch, List<KeyValue> deletions) {
        mutex.lock();
        try {
            if (finished || shared != watch || ahead == null) {
                return Verdict.WAIT;
            }
            for (KeyValue gone : deletions) {
                deleted(gone);
            }
            return verdict();
        } finally {
            mutex.unlock();
        }
    }

    /** The shared watch is confirmed now, after this waiter's revision: read our place again. */
    void readAgain(EtcdDirectoryWatch watch) {
        mutex.lock();
        try {
            if (finished || shared != watch) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        recheck();
    }

    /** The shared watch failed (connection, member without a leader): read again, then watch anew. */
    void directoryWatchFailed(EtcdDirectoryWatch watch, Throwable error) {
        mutex.lock();
        try {
            if (finished || shared != watch) {
                return;
            }
            shared = null;
            ahead = null;
        } finally {
            mutex.unlock();
        }
        retryLater(this::recheck, "wait for", error);
    }

    /**
     * Step 2, further back in the queue: watch only the key before ours, from the current revision;
     * its creation and the key's deletion each trigger a read.
     */
    private void watchPredecessor(ByteSequence target) {
        long myEpisode;
        Watch.Watcher old;
        EtcdDirectoryWatch left;
        mutex.lock();
        try {
            if (finished) {
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
            opened = engine.watchClient()
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
            keep = !finished && episode == myEpisode;
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
            if (finished || episode != myEpisode) {
                return;
            }
        } finally {
            mutex.unlock();
        }
        recheck();
    }

    /** What a waiter does next: keep waiting, re-read, take the lock, or fail. */
    enum Verdict {
        WAIT,
        READ,
        GRANT,
        GONE
    }

    /**
     * A deletion seen by the directory watch after the revision that listed the keys ahead. The
     * watch delivers every deletion of the directory in revision order, so once no key ahead is left
     * and our own key was not deleted before that, our key was the oldest at that revision: the lock
     * is ours, and a waiter whose key went with its lease is never granted.
     */
    private void deleted(KeyValue gone) {
        if (gone.getModRevision() <= aheadRevision) {
            return; // the listing already saw it
        }
        if (gone.getKey().equals(ownKey)) {
            ownKeyDeleted = true;
        } else {
            ahead.remove(gone.getKey());
        }
    }

    private Verdict verdict() {
        if (ahead == null) {
            return Verdict.WAIT;
        }
        if (ownKeyDeleted) {
            return Verdict.GONE;
        }
        return ahead.isEmpty() ? Verdict.GRANT : Verdict.WAIT;
    }

    void act(Verdict verdict) {
        switch (verdict) {
            case READ -> recheck();
            case GRANT -> grant();
            case GONE -> queuedKeyGone();
            case WAIT -> {}
        }
    }

    private void onWatchError(long myEpisode, Throwable error) {
        Watch.Watcher broken;
        mutex.lock();
        try {
            if (finished || episode != myEpisode) {
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
        retryLater(this::recheck, "wait for", error);
    }

    /**
     * Step 3: one read-only transaction for our own key and the newest keys created before it (up
     * to {@link #WATCH_WHOLE_QUEUE_UP_TO} + 1): the keys ahead to follow in the shared directory
     * watch, or the predecessor to watch further back.
     */
    private void recheck() {
        ByteSequence key;
        long revision;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            key = ownKey;
            revision = ownRevision;
        } finally {
            mutex.unlock();
        }
        GetOption predecessors = GetOption.builder()
                .isPrefix(true)
                .withMaxCreateRevision(revision - 1)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.DESCEND)
                .withLimit(WATCH_WHOLE_QUEUE_UP_TO + 1)
                .withKeysOnly(true)
                .build();
        engine.bounded(engine.kv()
                        .txn()
                        .Then(Op.get(key, EtcdLockEngine.KEYS_ONLY), Op.get(directory, predecessors))
                        .commit())
                .whenComplete(this::onRecheck);
    }

    private void onRecheck(TxnResponse response, Throwable failure) {
        if (result.isDone()) {
            finish();
            return;
        }
        if (failure != null) {
            if (lease.isDead()) {
                queuedKeyGone();
            } else {
                retryLater(this::recheck, "wait for", failure);
            }
            return;
        }
        long revision = response.getHeader().getRevision();
        List<GetResponse> reads = response.getGetResponses();
        List<KeyValue> own = reads.get(0).getKvs();
        List<KeyValue> before = reads.get(1).getKvs();
        mutex.lock();
        try {
            if (finished || revision < newestRead) {
                return; // an older read overtaken by a newer one
            }
            newestRead = revision;
            backoffNanos = 0;
            failingSinceNanos = 0;
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
            queuedKeyGone();
        } else if (before.isEmpty()) {
            grant();
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

    /** Our key vanished while we queued: its lease expired or was revoked. Never grant on it. */
    private void queuedKeyGone() {
        fail(
                "acquire",
                new IllegalStateException("the queued key of this waiter disappeared while it waited (its lease "
                        + lease.hex() + " expired or was revoked, or the key was deleted); it was not granted"));
    }

    /** Called by the engine when the lease of this waiter was found gone. */
    void leaseGone() {
        queuedKeyGone();
    }

    private void grant() {
        EtcdGrant grant;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            cleanedUp = true; // the key is now the lock: release() removes it, not the cleanup
            grant = new EtcdGrant(
                    request.name(), directory, slot, ownKey, lease, ownRevision, request.listener(), uncertainLease);
        } finally {
            mutex.unlock();
        }
        stopWaiting();
        // delivered, never completed here: what an application chained on lockAsync must not run on
        // the gRPC event loop, where a blocking call (releasing the handle, taking another lock) would
        // wait for an answer only that thread can deliver
        result.deliver(grant, engine::release);
    }

    private void fail(String operation, Throwable failure) {
        mutex.lock();
        try {
            if (finished && cleanedUp) {
                return;
            }
            finished = true;
        } finally {
            mutex.unlock();
        }
        cleanUpThen(() -> result.deliverFailure(engine.failure(operation, request.name(), failure)));
    }

    /** Stops everything after a cancellation: the watch, the keep-alives, the key. */
    void finish() {
        mutex.lock();
        try {
            finished = true;
        } finally {
            mutex.unlock();
        }
        cleanUpThen(() -> {});
    }

    /** Closes the watch, stops keep-alives and removes what this acquisition left on the server. */
    private void cleanUpThen(Runnable then) {
        ByteSequence key;
        EtcdLease on;
        EtcdLease uncertain;
        boolean removeKey;
        long revision;
        int taken;
        mutex.lock();
        try {
            finished = true;
            if (cleanedUp) {
                key = null;
                on = null;
                uncertain = null;
                removeKey = false;
                revision = 0;
                taken = -1;
            } else {
                cleanedUp = true;
                key = ownKey;
                on = lease;
                uncertain = uncertainLease;
                removeKey = keyMayExist;
                revision = ownRevision;
                taken = slot;
            }
        } finally {
            mutex.unlock();
        }
        stopWaiting();
        if (on == null) {
            then.run();
            return;
        }
        engine.removeLeftovers(request.name(), on, removeKey ? key : null, revision)
                .whenComplete((retried, failure) -> {
                    if (taken >= 0) {
                        if (removeKey) {
                            engine.keyRemoved(
                                    request.name(),
                                    directory,
                                    taken,
                                    key,
                                    on,
                                    uncertain,
                                    failure == null,
                                    failure != null || retried);
                        } else {
                            engine.freeSlot(directory, taken); // the key was never written
                        }
                    }
                    then.run();
                });
    }

    private void stopWaiting() {
        Watch.Watcher open;
        EtcdDirectoryWatch left;
        EtcdLease on;
        boolean wasWaiting;
        mutex.lock();
        try {
            open = watcher;
            watcher = null;
            watched = null;
            episode++;
            left = shared;
            shared = null;
            on = lease;
            wasWaiting = waiting;
            waiting = false;
        } finally {
            mutex.unlock();
        }
        if (open != null) {
            open.close();
        }
        if (left != null) {
            left.leave(this);
        }
        if (wasWaiting) {
            engine.waiterDone(on, this);
        }
    }

    /**
     * Retries a step after a transient failure, with a growing delay. Failures that go on for two
     * request timeouts in a row end the acquisition with the last one: an unbounded wait on an
     * unreachable etcd fails clearly instead of hanging.
     */
    private void retryLater(Runnable step, String operation, Throwable failure) {
        long delay;
        boolean giveUp;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            long now = engine.now();
            if (failingSinceNanos == 0) {
                failingSinceNanos = now;
            }
            giveUp = now - failingSinceNanos > engine.giveUpAfterNanos();
            backoffNanos = backoffNanos == 0
                    ? TimeUnit.MILLISECONDS.toNanos(50)
                    : Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
            delay = backoffNanos;
        } finally {
            mutex.unlock();
        }
        if (giveUp) {
            fail(operation, failure);
        } else {
            engine.schedule(step, delay);
        }
    }

    @Override
    public String toString() {
        return "EtcdAcquisition{" + request.name() + (ownKey == null ? "" : ", key=" + EtcdKeys.text(ownKey)) + "}";
    }
}
