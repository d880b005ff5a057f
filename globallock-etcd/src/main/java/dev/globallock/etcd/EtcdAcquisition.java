package dev.globallock.etcd;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One acquisition, as a small state machine driven by jetcd's callbacks: etcd's mutex recipe.
 *
 * <ol>
 *   <li>One transaction: if the acquisition's own key does not exist, put it on the lease and read
 *       the two newest keys of the lock's directory. Alone there: the lock is ours (the uncontended
 *       acquire is this one round trip). Otherwise the key before ours is the predecessor.
 *   <li>Wait: watch the predecessor's key for its deletion, opened at the server's current revision
 *       (a watch opened at a past revision starts "unsynced" and is only caught up by etcd's 100 ms
 *       sync loop). Once the server confirms the watch, re-read whether the predecessor still exists:
 *       a deletion before the watch existed is seen by that read, one after it by the watch.
 *   <li>On a deletion, one read-only transaction re-reads our own key and the newest key created
 *       before ours. Our key gone means our lease ended while we queued: we are never granted the
 *       lock on it (Jepsen's etcd 3.4.3 finding). No key before ours: the lock is ours. Another one:
 *       watch that instead.
 * </ol>
 *
 * Cancellation (wait time, interrupt, cancel) deletes our key, or revokes the acquisition's own
 * lease, so no queued key is ever granted to nobody. Nothing here blocks: every step is a callback.
 */
final class EtcdAcquisition {
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The two newest keys of a directory, by create revision. */
    private static final GetOption NEWEST_TWO = GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.DESCEND)
            .withLimit(2)
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
    final CompletableFuture<LockGrant> result = new CompletableFuture<>();

    private final ReentrantLock mutex = new ReentrantLock();
    // guarded by mutex
    private EtcdLease lease;
    private ByteSequence ownKey;
    private int slot = -1;
    private long ownRevision;
    private boolean keyMayExist;
    private boolean waiting;
    private boolean finished;
    private boolean cleanedUp;
    private Watch.Watcher watcher;
    private ByteSequence watched;
    private long episode;
    private long newestRead;
    private long backoffNanos;
    private int freshLeases;
    private long failingSinceNanos;

    EtcdAcquisition(EtcdLockEngine engine, AcquireRequest request) {
        this.engine = engine;
        this.request = request;
        this.directory = EtcdKeys.lockPrefix(engine.namespace(), request.key());
    }

    String name() {
        return request.name();
    }

    CompletableFuture<LockGrant> start() {
        result.whenComplete((grant, failure) -> {
            if (result.isCancelled()) {
                finish();
            }
        });
        engine.leaseFor(request).whenComplete(this::onLease);
        return result;
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

    /** Step 1: put our key if absent and read the two newest keys of the directory. */
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
        engine.bounded(engine.kv()
                        .txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(
                                Op.put(
                                        key,
                                        ByteSequence.EMPTY,
                                        PutOption.builder()
                                                .withLeaseId(lease.id)
                                                .build()),
                                Op.get(directory, NEWEST_TWO))
                        .Else(Op.get(key, EtcdLockEngine.KEYS_ONLY))
                        .commit())
                .whenComplete(this::onAcquireTxn);
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
            recheck(-1);
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
        KeyValue predecessor = null;
        for (KeyValue kv : newest) {
            if (kv.getCreateRevision() < revision) {
                predecessor = kv;
                break;
            }
        }
        if (predecessor == null) {
            grant();
        } else if (request.singleAttempt()) {
            cleanUpThen(() -> result.complete(null));
        } else {
            startWaiting();
            watch(predecessor.getKey());
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

    /** Step 2: watch the predecessor from the current revision; its creation triggers a re-read. */
    private void watch(ByteSequence predecessor) {
        long myEpisode;
        Watch.Watcher old;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            old = watcher;
            myEpisode = ++episode;
            watched = predecessor;
            watcher = null;
        } finally {
            mutex.unlock();
        }
        if (old != null) {
            old.close();
        }
        Watch.Watcher opened;
        try {
            opened = engine.watchClient()
                    .watch(
                            predecessor,
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
        if (response.isCreatedNotify()) {
            recheck(myEpisode);
            return;
        }
        for (WatchEvent event : response.getEvents()) {
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                recheck(myEpisode);
                return;
            }
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
        retryLater(() -> recheck(-1), "wait for", error);
    }

    /**
     * Step 3: one read-only transaction for our own key and the newest key created before it.
     *
     * @param myEpisode the watch episode that asked, or -1 when no watch is open
     */
    private void recheck(long myEpisode) {
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
        GetOption predecessor = GetOption.builder()
                .isPrefix(true)
                .withMaxCreateRevision(revision - 1)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.DESCEND)
                .withLimit(1)
                .withKeysOnly(true)
                .build();
        engine.bounded(engine.kv()
                        .txn()
                        .Then(Op.get(key, EtcdLockEngine.KEYS_ONLY), Op.get(directory, predecessor))
                        .commit())
                .whenComplete((response, failure) -> onRecheck(response, failure));
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
                retryLater(() -> recheck(-1), "wait for", failure);
            }
            return;
        }
        long revision = response.getHeader().getRevision();
        List<GetResponse> reads = response.getGetResponses();
        List<KeyValue> own = reads.get(0).getKvs();
        List<KeyValue> before = reads.get(1).getKvs();
        ByteSequence next;
        mutex.lock();
        try {
            if (finished || revision < newestRead) {
                return; // an older read overtaken by a newer one
            }
            newestRead = revision;
            backoffNanos = 0;
            failingSinceNanos = 0;
            if (own.isEmpty() || own.get(0).getCreateRevision() != ownRevision) {
                next = null;
            } else if (before.isEmpty()) {
                next = ByteSequence.EMPTY;
            } else {
                next = before.get(0).getKey();
                if (watcher != null && next.equals(watched)) {
                    return; // still queued behind the key we watch
                }
            }
        } finally {
            mutex.unlock();
        }
        if (next == null) {
            queuedKeyGone();
        } else if (next.isEmpty()) {
            grant();
        } else {
            watch(next);
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
            grant = new EtcdGrant(request.name(), directory, slot, ownKey, lease, ownRevision, request.listener());
        } finally {
            mutex.unlock();
        }
        stopWaiting();
        if (!result.complete(grant)) {
            engine.release(grant);
        }
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
        cleanUpThen(() -> result.completeExceptionally(engine.failure(operation, request.name(), failure)));
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
        boolean removeKey;
        int taken;
        mutex.lock();
        try {
            finished = true;
            if (cleanedUp) {
                key = null;
                on = null;
                removeKey = false;
                taken = -1;
            } else {
                cleanedUp = true;
                key = ownKey;
                on = lease;
                removeKey = keyMayExist;
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
        engine.removeLeftovers(request.name(), on, removeKey ? key : null).whenComplete((ignored, failure) -> {
            if (taken >= 0 && (failure == null || !removeKey)) {
                engine.freeSlot(directory, taken); // the key is gone, or was never written
            }
            then.run();
        });
    }

    private void stopWaiting() {
        Watch.Watcher open;
        EtcdLease on;
        boolean wasWaiting;
        mutex.lock();
        try {
            open = watcher;
            watcher = null;
            watched = null;
            episode++;
            on = lease;
            wasWaiting = waiting;
            waiting = false;
        } finally {
            mutex.unlock();
        }
        if (open != null) {
            open.close();
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
