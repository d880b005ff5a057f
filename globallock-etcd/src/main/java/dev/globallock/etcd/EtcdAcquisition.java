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
import io.etcd.jetcd.kv.TxnResponse;
import java.util.List;
import java.util.Set;

/**
 * One acquisition, as a small state machine driven by jetcd's callbacks: etcd's mutex recipe.
 *
 * <ol>
 *   <li>Obtain the lease the key goes on ({@link EtcdSessions}) and a key name ({@link
 *       EtcdKeySlots}).
 *   <li>One transaction: if the acquisition's own key does not exist, put it on the lease and list
 *       the newest keys of the lock's directory (names only, up to {@link
 *       EtcdAcquireTxn#NEWEST_KEYS_LIMIT}). Alone there: the lock is ours (the uncontended
 *       acquire is this one round trip). Otherwise the answer lists the keys ahead of ours at the
 *       transaction's revision, and a single attempt takes its key back.
 *   <li>Wait for the keys ahead to go: {@link EtcdQueueWait}, which shares this acquisition's lock
 *       and reports the outcome; the lease is kept alive meanwhile. The lock is granted only while
 *       our key exists: a key that went with its lease is never granted (Jepsen's etcd 3.4.3
 *       finding).
 * </ol>
 *
 * Transient failures are retried with a growing delay, for at most two request timeouts in a row
 * ({@link EtcdRetryDelays}). Cancellation (wait time, interrupt, cancel) deletes our key, or revokes
 * the acquisition's own lease ({@link EtcdKeyRemoval}), so no queued key is ever granted to nobody.
 * What the acquisition knows and has left on the server, and the atomic steps that change it, are
 * its {@link EtcdAcquisitionState}; this class is the recipe's steps. Nothing here blocks: every
 * step is a callback.
 */
final class EtcdAcquisition implements EtcdLease.Waiter, EtcdWaitOwner {
    /**
     * How acquisitions run: the first step (only asynchronous calls) on the caller that waits, else
     * on the thread that dispatches it; answers from the gRPC threads are delivered to the waiting
     * caller, or completed on the callback pool.
     */
    static final CallerRunsPolicy CALLER_RUNS =
            CallerRunsPolicy.of(CallerRunsPolicy.callingThread()).deliverOn(CallbackPool.shared());

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

    private final EtcdAcquisitionState state;
    /** Fresh leases asked for after the session lease was found gone; only the answer's thread touches it. */
    private int freshLeases;

    EtcdAcquisition(EtcdParts parts, AcquireRequest request) {
        this.parts = parts;
        this.request = request;
        this.shared = request.mode() != AcquireMode.EXCLUSIVE;
        this.directory = shared
                ? EtcdSharedKeys.directory(parts.namespace(), request.key(), request.mode())
                : EtcdKeys.lockPrefix(parts.namespace(), request.key());
        EtcdGrant downgrading = null;
        if (shared && request.downgrading().orElse(null) instanceof EtcdGrant write && !write.isReleased()) {
            downgrading = write;
        }
        this.state = new EtcdAcquisitionState(parts, request, directory, shared, downgrading);
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
        state.leased(granted, result);
        if (result.isDone()) {
            finish();
            return;
        }
        sendAcquireTxn();
    }

    /**
     * Step 1 ({@link EtcdAcquireTxn}): put our key if absent and read the directory; a permit, read
     * or write puts its kind in the value, and a downgrade puts its key only while the write key it
     * comes from is still there.
     */
    private void sendAcquireTxn() {
        ByteSequence key = state.sending();
        if (key == null) {
            return; // finished
        }
        EtcdLease lease = state.lease();
        if (shared) {
            EtcdGrant write = state.downgrading();
            ByteSequence value =
                    EtcdSharedKeys.value(request.mode(), request.permits(), write == null ? 0 : write.createRevision);
            EtcdAcquireTxn.shared(parts.calls(), key, value, lease, directory, write)
                    .whenComplete(this::onAcquireTxn);
        } else {
            EtcdAcquireTxn.lock(parts.calls(), key, lease, directory).whenComplete(this::onAcquireTxn);
        }
    }

    private void onAcquireTxn(TxnResponse response, Throwable failure) {
        Runnable then = state.txnAnswered(failure);
        if (then != null) {
            cleanUpThen(then); // the acquisition ended while the transaction was on its way
            return;
        }
        EtcdLease lease = state.lease();
        if (failure != null && EtcdErrors.leaseNotFound(failure) && freshLeases < 2) {
            // the session lease ended before the watchdog noticed; the transaction wrote nothing
            freshLeases++;
            parts.sessions().leaseDead(lease);
            state.notWritten();
            parts.sessions().leaseFor(request).whenComplete(this::onLease);
            return;
        }
        if (failure != null) {
            if (!EtcdErrors.leaseNotFound(failure) && lease.session) {
                state.mayHaveLanded(); // no answer is not a "no": the put may have landed, or may land later
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
            if (own.isEmpty() && shared && state.downgrading() != null) {
                // the write grant this read downgrades is gone: an ordinary read then
                state.downgradeGone();
                sendAcquireTxn();
                return;
            }
            if (own.isEmpty()) {
                keyGone();
                return;
            }
            state.placed(own.get(0).getCreateRevision(), false);
            if (shared && state.downgrading() != null) {
                grant(); // put by an earlier try while the write it downgrades held
                return;
            }
            EtcdQueued queued = state.startWaiting(this, this, 0);
            if (queued != null) {
                queued.recheck();
            }
            return;
        }
        long revision = response.getHeader().getRevision();
        List<KeyValue> newest = response.getGetResponses().get(0).getKvs();
        state.placed(revision, true);
        if (shared) {
            onSharedListing(revision, newest);
            return;
        }
        // the keys created before ours, newest first (ours, created by this transaction, comes first)
        Set<ByteSequence> before = EtcdAcquireTxn.keysBefore(newest, revision);
        if (before == null) {
            grant();
        } else if (request.singleAttempt()) {
            cleanUpThen(() -> result.deliver(null));
        } else {
            EtcdQueued queued = state.startWaiting(this, this, revision);
            if (queued instanceof EtcdQueueWait mutexWait) {
                mutexWait.start(before, before.iterator().next(), revision);
            }
        }
    }

    /** A permit, read or write put its key at {@code revision}: granted, refused, or it waits. */
    private void onSharedListing(long revision, List<KeyValue> all) {
        ByteSequence ownKey = state.ownKey();
        if (request.mode() == AcquireMode.PERMIT) {
            int theirs = EtcdSharedKeys.otherPermits(request.permits(), ownKey, all);
            if (theirs > 0) {
                failWith(EtcdSharedKeys.permitsDiffer(
                        request.name(), request.permits(), parts.failures().endpoint(), theirs, all.size() - 1));
                return;
            }
        }
        Set<ByteSequence> inTheWay = state.downgrading() != null
                ? Set.of() // it stands where the write it downgrades stands: nothing is before that
                : EtcdSharedKeys.inTheWay(request.mode(), revision, ownKey, all);
        if (inTheWay.size() < EtcdSharedKeys.grantBelow(request.mode(), request.permits())) {
            grant(revision);
        } else if (request.singleAttempt()) {
            cleanUpThen(() -> result.deliver(null));
        } else {
            EtcdQueued queued = state.startWaiting(this, this, revision);
            if (queued instanceof EtcdSharedWait sharedWait) {
                sharedWait.start(inTheWay, revision);
            }
        }
    }

    @Override
    public boolean finished() {
        return state.finished(); // the wait holds the shared mutex
    }

    @Override
    public void answered() {
        state.answered(); // the wait holds the shared mutex
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
                        + state.lease().hex()
                        + " expired or was revoked, or the key was deleted); it was not granted"));
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
        EtcdGrant grant = state.grant(revision);
        if (grant == null) {
            return; // finished already
        }
        stopWaiting();
        // delivered, never completed here: what an application chained on lockAsync must not run on
        // the gRPC event loop, where a blocking call (releasing the handle, taking another lock) would
        // wait for an answer only that thread can deliver
        result.deliver(grant, parts.removal()::release);
    }

    private void fail(String operation, Throwable failure) {
        if (state.finishToFail()) {
            cleanUpThen(() -> result.deliverFailure(parts.failures().failed(operation, request.name(), failure)));
        }
    }

    /** Ends with {@code failure} as it is (the caller's mistake), after removing our key. */
    private void failWith(RuntimeException failure) {
        if (state.finishToFail()) {
            cleanUpThen(() -> result.deliverFailure(failure));
        }
    }

    /**
     * The channel cannot be used until an operator fixes something (a definite TLS failure): ends
     * this acquisition now with {@code failure}, unless it was granted or has ended. The caller is
     * told first; what the acquisition left on the server is removed afterwards, as far as the
     * channel allows (its lease expires otherwise), so that no request to a broken channel holds it.
     */
    void endBy(LockBackendException failure) {
        if (state.finishFirst()) {
            result.deliverFailure(failure);
            cleanUpThen(() -> {});
        }
    }

    /** Stops everything after a cancellation: the watch, the keep-alives, the key. */
    void finish() {
        state.finish();
        cleanUpThen(() -> {});
    }

    /** Closes the watch, stops keep-alives and removes what this acquisition left on the server. */
    private void cleanUpThen(Runnable then) {
        Runnable removal = state.cleanUp(then);
        if (removal == null) {
            return; // the acquire transaction's answer runs it
        }
        stopWaiting();
        removal.run();
    }

    private void stopWaiting() {
        EtcdQueued stopped = state.takeWait();
        if (stopped != null) {
            stopped.stop();
            parts.sessions().waiterDone(state.lease(), this);
        }
    }

    /**
     * Retries a step after a transient failure, with a growing delay ({@link EtcdRetryDelays}).
     * Failures that go on for two request timeouts in a row end the acquisition with the last one.
     */
    private void retryLater(Runnable step, String operation, Throwable failure) {
        long delay = state.retryDelay(parts.runtime().now());
        if (delay == EtcdAcquisitionState.FINISHED) {
            return;
        }
        if (delay < 0) {
            fail(operation, failure);
        } else {
            parts.runtime().schedule(step, delay);
        }
    }

    @Override
    public String toString() {
        ByteSequence ownKey = state.ownKey();
        return "EtcdAcquisition{" + request.name() + (ownKey == null ? "" : ", key=" + EtcdKeys.text(ownKey)) + "}";
    }
}
