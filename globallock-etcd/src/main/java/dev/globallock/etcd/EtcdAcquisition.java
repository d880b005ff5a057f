/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.LockBackendException;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
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
 *   <li>Obtain the lease the key goes on ({@link EtcdSessions}) and a key name ({@link
 *       EtcdKeySlots}).
 *   <li>One transaction: if the acquisition's own key does not exist, put it on the lease and list
 *       the newest keys of the lock's directory (names only, up to {@link
 *       EtcdQueueWait#WATCH_WHOLE_QUEUE_UP_TO} + 2). Alone there: the lock is ours (the uncontended
 *       acquire is this one round trip). Otherwise the answer lists the keys ahead of ours at the
 *       transaction's revision, and a single attempt takes its key back.
 *   <li>Wait for the keys ahead to go: {@link EtcdQueueWait}, which shares this acquisition's lock
 *       and reports the outcome; the lease is kept alive meanwhile. The lock is granted only while
 *       our key exists: a key that went with its lease is never granted (Jepsen's etcd 3.4.3
 *       finding).
 * </ol>
 *
 * Transient failures are retried with a growing delay, for at most two request timeouts in a row.
 * Cancellation (wait time, interrupt, cancel) deletes our key, or revokes the acquisition's own
 * lease ({@link EtcdKeyRemoval}), so no queued key is ever granted to nobody. Nothing here blocks:
 * every step is a callback.
 */
final class EtcdAcquisition implements EtcdLease.Waiter, EtcdQueueWait.Owner {
    /**
     * How acquisitions run: the first step (only asynchronous calls) on the caller that waits, else
     * on the thread that dispatches it; answers from the gRPC threads are delivered to the waiting
     * caller, or completed on the callback pool.
     */
    static final CallerRunsPolicy CALLER_RUNS =
            CallerRunsPolicy.of(CallerRunsPolicy.callingThread()).deliverOn(CallbackPool.shared());

    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How many keys the acquire transaction reads: our own and up to 17 ahead of it. */
    static final int NEWEST_KEYS_LIMIT = EtcdQueueWait.WATCH_WHOLE_QUEUE_UP_TO + 2;

    /**
     * The newest keys of a directory, by create revision, names only: read in the acquire
     * transaction right after the put, so our own key and up to {@link
     * EtcdQueueWait#WATCH_WHOLE_QUEUE_UP_TO} + 1 keys ahead of it.
     */
    private static final GetOption NEWEST_KEYS = GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.DESCEND)
            .withLimit(NEWEST_KEYS_LIMIT)
            .withKeysOnly(true)
            .build();

    private final EtcdParts parts;
    private final AcquireRequest request;
    private final ByteSequence directory;
    /** A permit, a read or a write ({@link EtcdSharedKeys}); false for the lock. */
    private final boolean shared;
    /**
     * Its first task starts the acquisition: on the caller that waits for it, else on the thread
     * that dispatches it (only asynchronous calls either way). Delivered from the gRPC threads to
     * that caller, or completed on the callback pool.
     */
    final CallerRunsFuture<LockGrant> result = new CallerRunsFuture<>(CALLER_RUNS);

    private final ReentrantLock mutex = new ReentrantLock();
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
     * A permit's, read's or write's acquire transaction is on its way: a cleanup waits for its
     * answer (its delete could overtake the put, which would then leave a key queued for nobody).
     */
    private boolean sharedTxnInFlight;
    /** What a cleanup that waits for the acquire transaction's answer runs afterwards; null if none. */
    private Runnable cleanUpAfterTxn;
    /** A downgrade's write grant, while it is known to hold; null otherwise. */
    private EtcdGrant downgrading;

    private long backoffNanos;
    private int freshLeases;
    private long failingSinceNanos;

    EtcdAcquisition(EtcdParts parts, AcquireRequest request) {
        this.parts = parts;
        this.request = request;
        this.shared = request.mode() != AcquireMode.EXCLUSIVE;
        this.directory = shared
                ? EtcdSharedKeys.directory(parts.namespace(), request.key(), request.mode())
                : EtcdKeys.lockPrefix(parts.namespace(), request.key());
        if (shared && request.downgrading().orElse(null) instanceof EtcdGrant write && !write.isReleased()) {
            this.downgrading = write;
        }
        result.onCancel(this::finish).defer(onCaller -> start());
    }

    String name() {
        return request.name();
    }

    private void start() {
        if (result.isDone()) {
            return; // cancelled before it started: nothing to undo
        }
        parts.sessions().leaseFor(request).whenComplete(this::onLease);
    }

    private void onLease(EtcdLease granted, Throwable failure) {
        if (failure != null) {
            if (!request.singleAttempt() && EtcdErrors.transientFailure(failure) && !result.isDone()) {
                retryLater(
                        () -> parts.sessions().leaseFor(request).whenComplete(this::onLease),
                        "obtain a lease for",
                        failure);
                return;
            }
            fail("obtain a lease for", failure);
            return;
        }
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
            sharedTxnInFlight = shared;
            key = ownKey;
        } finally {
            mutex.unlock();
        }
        EtcdCalls calls = parts.calls();
        if (shared) {
            sendSharedAcquireTxn(calls, key);
            return;
        }
        EtcdDirectKv direct = calls.directKv();
        CompletableFuture<TxnResponse> sent = direct != null
                ? direct.acquire(key, lease.id, directory, NEWEST_KEYS_LIMIT)
                : calls.kv()
                        .txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(key, ByteSequence.EMPTY, lease.putOnLease), Op.get(directory, NEWEST_KEYS))
                        .Else(Op.get(key, EtcdCalls.KEYS_ONLY))
                        .commit();
        calls.bounded(sent).whenComplete(this::onAcquireTxn);
    }

    /**
     * Step 1 of a permit, read or write: put our key (its kind in the value) if absent and read the
     * whole directory with the kinds; a downgrade puts its key only while the write key it comes from
     * is still there.
     */
    private void sendSharedAcquireTxn(EtcdCalls calls, ByteSequence key) {
        EtcdGrant write;
        mutex.lock();
        try {
            write = downgrading;
        } finally {
            mutex.unlock();
        }
        ByteSequence value =
                EtcdSharedKeys.value(request.mode(), request.permits(), write == null ? 0 : write.createRevision);
        EtcdDirectKv direct = calls.directKv();
        if (direct != null) {
            calls.bounded(direct.acquireShared(
                            key,
                            value,
                            lease.id,
                            directory,
                            write == null ? null : write.key,
                            write == null ? 0 : write.createRevision))
                    .whenComplete(this::onAcquireTxn);
            return;
        }
        Txn txn = calls.kv().txn();
        if (write == null) {
            txn.If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(key, value, lease.putOnLease), Op.get(directory, EtcdSharedKeys.WHOLE_DIRECTORY))
                    .Else(Op.get(key, EtcdCalls.KEYS_ONLY));
        } else {
            txn.If(
                            new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                            new Cmp(write.key, Cmp.Op.EQUAL, CmpTarget.createRevision(write.createRevision)))
                    .Then(Op.put(key, value, lease.putOnLease), Op.get(directory, EtcdSharedKeys.WHOLE_DIRECTORY))
                    .Else(Op.get(key, EtcdCalls.KEYS_ONLY));
        }
        calls.bounded(txn.commit()).whenComplete(this::onAcquireTxn);
    }

    private void onAcquireTxn(TxnResponse response, Throwable failure) {
        if (shared) {
            Runnable then;
            mutex.lock();
            try {
                sharedTxnInFlight = false;
                then = cleanUpAfterTxn;
                cleanUpAfterTxn = null;
                if (then != null && failure != null && !EtcdErrors.leaseNotFound(failure) && lease.session) {
                    uncertainLease = lease; // no answer: the put may still land
                }
            } finally {
                mutex.unlock();
            }
            if (then != null) {
                cleanUpThen(then); // the acquisition ended while the transaction was on its way
                return;
            }
        }
        if (failure != null && EtcdErrors.leaseNotFound(failure) && freshLeases < 2) {
            // the session lease ended before the watchdog noticed; the transaction wrote nothing
            freshLeases++;
            parts.sessions().leaseDead(lease);
            mutex.lock();
            try {
                keyMayExist = false;
            } finally {
                mutex.unlock();
            }
            parts.sessions().leaseFor(request).whenComplete(this::onLease);
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
            if (own.isEmpty() && shared && downgrading != null) {
                // the write grant this read downgrades is gone: an ordinary read then
                mutex.lock();
                try {
                    downgrading = null;
                    keyMayExist = false;
                } finally {
                    mutex.unlock();
                }
                sendAcquireTxn();
                return;
            }
            if (own.isEmpty()) {
                keyGone();
                return;
            }
            mutex.lock();
            try {
                ownRevision = own.get(0).getCreateRevision();
            } finally {
                mutex.unlock();
            }
            if (shared && downgrading != null) {
                grant(); // put by an earlier try while the write it downgrades held
                return;
            }
            EtcdQueued queued = startWaiting(0);
            if (queued != null) {
                queued.recheck();
            }
            return;
        }
        long revision = response.getHeader().getRevision();
        List<KeyValue> newest = response.getGetResponses().get(0).getKvs();
        mutex.lock();
        try {
            ownRevision = revision;
            failingSinceNanos = 0;
            backoffNanos = 0;
        } finally {
            mutex.unlock();
        }
        if (shared) {
            onSharedListing(revision, newest);
            return;
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
            EtcdQueued queued = startWaiting(revision);
            if (queued instanceof EtcdQueueWait mutexWait) {
                mutexWait.start(before, predecessor, revision);
            }
        }
    }

    /** A permit, read or write put its key at {@code revision}: granted, refused, or it waits. */
    private void onSharedListing(long revision, List<KeyValue> all) {
        if (request.mode() == AcquireMode.PERMIT) {
            int theirs = EtcdSharedKeys.otherPermits(request.permits(), ownKey, all);
            if (theirs > 0) {
                failWith(new IllegalArgumentException("permits of semaphore '" + request.name() + "' was '"
                        + request.permits() + "' but engine 'etcd' at "
                        + parts.failures().endpoint()
                        + " holds it with " + theirs + " permits (" + (all.size() - 1)
                        + " other keys under its prefix): every user of a semaphore must give the same permits"));
                return;
            }
        }
        boolean downgrade;
        mutex.lock();
        try {
            downgrade = downgrading != null;
        } finally {
            mutex.unlock();
        }
        Set<ByteSequence> inTheWay = downgrade
                ? Set.of() // it stands where the write it downgrades stands: nothing is before that
                : EtcdSharedKeys.inTheWay(request.mode(), revision, ownKey, all);
        if (inTheWay.size() < EtcdSharedKeys.grantBelow(request.mode(), request.permits())) {
            grant(revision);
        } else if (request.singleAttempt()) {
            cleanUpThen(() -> result.deliver(null));
        } else {
            EtcdQueued queued = startWaiting(revision);
            if (queued instanceof EtcdSharedWait sharedWait) {
                sharedWait.start(inTheWay, revision);
            }
        }
    }

    /**
     * Our key queued: the wait for the keys ahead of it starts, and our lease is kept alive while it
     * lasts. Null when the acquisition finished meanwhile.
     *
     * @param newestRead the revision of the newest read of our place so far, or 0
     */
    private EtcdQueued startWaiting(long newestRead) {
        EtcdQueued started;
        mutex.lock();
        try {
            if (finished) {
                return null;
            }
            if (wait != null) {
                return wait;
            }
            started = shared
                    ? new EtcdSharedWait(
                            this,
                            mutex,
                            parts.calls(),
                            parts.watches(),
                            directory,
                            ownKey,
                            ownRevision,
                            lease,
                            request.mode(),
                            request.permits(),
                            newestRead)
                    : new EtcdQueueWait(
                            this,
                            mutex,
                            parts.calls(),
                            parts.watches(),
                            directory,
                            ownKey,
                            ownRevision,
                            lease,
                            newestRead);
            wait = started;
        } finally {
            mutex.unlock();
        }
        parts.sessions().waiterQueued(lease, this);
        return started;
    }

    @Override
    public boolean finished() {
        return finished; // the wait holds the shared mutex
    }

    @Override
    public void answered() {
        backoffNanos = 0; // the wait holds the shared mutex
        failingSinceNanos = 0;
    }

    @Override
    public boolean finishIfDone() {
        if (result.isDone()) {
            finish();
            return true;
        }
        return false;
    }

    @Override
    public void retryLater(Runnable step, Throwable failure) {
        retryLater(step, "wait for", failure);
    }

    /** Our key vanished while we queued: its lease expired or was revoked. Never grant on it. */
    @Override
    public void keyGone() {
        fail(
                "acquire",
                new IllegalStateException("the queued key of this waiter disappeared while it waited (its lease "
                        + lease.hex() + " expired or was revoked, or the key was deleted); it was not granted"));
    }

    /** Called by the sessions when the lease of this waiter was found gone. */
    @Override
    public void leaseGone() {
        keyGone();
    }

    @Override
    public void grant() {
        grant(0);
    }

    /** Granted; the fencing token is {@code revision} if greater than our key's create revision. */
    @Override
    public void grant(long revision) {
        EtcdGrant grant;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            cleanedUp = true; // the key is now the lock: release() removes it, not the cleanup
            grant = new EtcdGrant(
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
        stopWaiting();
        // delivered, never completed here: what an application chained on lockAsync must not run on
        // the gRPC event loop, where a blocking call (releasing the handle, taking another lock) would
        // wait for an answer only that thread can deliver
        result.deliver(grant, parts.removal()::release);
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
        cleanUpThen(() -> result.deliverFailure(parts.failures().failed(operation, request.name(), failure)));
    }

    /** Ends with {@code failure} as it is (the caller's mistake), after removing our key. */
    private void failWith(RuntimeException failure) {
        mutex.lock();
        try {
            if (finished && cleanedUp) {
                return;
            }
            finished = true;
        } finally {
            mutex.unlock();
        }
        cleanUpThen(() -> result.deliverFailure(failure));
    }

    /**
     * The channel cannot be used until an operator fixes something (a definite TLS failure): ends
     * this acquisition now with {@code failure}, unless it was granted or has ended. The caller is
     * told first; what the acquisition left on the server is removed afterwards, as far as the
     * channel allows (its lease expires otherwise), so that no request to a broken channel holds it.
     */
    void endBy(LockBackendException failure) {
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
        } finally {
            mutex.unlock();
        }
        result.deliverFailure(failure);
        cleanUpThen(() -> {});
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
        ByteSequence key = null; // set when the key may have been written
        EtcdLease on = null;
        EtcdLease uncertain = null;
        long revision = 0;
        int taken = -1;
        mutex.lock();
        try {
            finished = true;
            if (!cleanedUp && sharedTxnInFlight) {
                Runnable before = cleanUpAfterTxn;
                cleanUpAfterTxn = before == null
                        ? then
                        : () -> {
                            before.run();
                            then.run();
                        };
                return;
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
        stopWaiting();
        if (on == null) {
            then.run();
        } else {
            parts.removal().cleanUp(request.name(), directory, taken, key, on, uncertain, revision, then);
        }
    }

    private void stopWaiting() {
        EtcdQueued stopped;
        EtcdLease on;
        mutex.lock();
        try {
            stopped = wait;
            wait = null;
            on = lease;
        } finally {
            mutex.unlock();
        }
        if (stopped != null) {
            stopped.stop();
            parts.sessions().waiterDone(on, this);
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
            long now = parts.runtime().now();
            if (failingSinceNanos == 0) {
                failingSinceNanos = now;
            }
            giveUp = now - failingSinceNanos > parts.giveUpAfterNanos();
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
            parts.runtime().schedule(step, delay);
        }
    }

    @Override
    public String toString() {
        return "EtcdAcquisition{" + request.name() + (ownKey == null ? "" : ", key=" + EtcdKeys.text(ownKey)) + "}";
    }
}
