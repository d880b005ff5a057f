/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.zookeeper.LockNodeDriver.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.data.Stat;

/**
 * One acquisition: the lock protocol for one {@link AcquireRequest}, driven by Curator's background
 * callbacks and watches; only a caller that blocks on its future anyway (which runs the first
 * round, {@link #begin}, inside its {@code get}: see {@link CallerRunsFuture}) makes blocking calls
 * on its own thread ({@link LockNodeDriver}).
 *
 * <h2>Protocol</h2>
 *
 * <ol>
 *   <li>Create a protected ephemeral-sequential node {@code /<key>/_c_<uuid>-lock-<seq>} (parents
 *       are created as containers only when the create answers NoNode) and, pipelined behind it
 *       on the same session without waiting for its answer, read the parent's children. ZooKeeper
 *       answers a session's requests in order, so the listing already contains the new node: an
 *       uncontended acquisition costs one round trip of latency (one write, one local read), where
 *       Curator's mutex waits for the create before it lists. The create's reply carries the node's
 *       {@link Stat}, so the czxid (fencing token) and owning session cost nothing more. A
 *       blocking caller re-acquiring a lock whose previous node this engine deleted sends no
 *       listing when nothing else was written in between ({@link #createOnCaller}).
 *   <li>Lowest sequence number: the lock is ours. Otherwise a single attempt deletes its node and
 *       reports the lock busy; a waiter watches only its immediate predecessor (no herd effect,
 *       FIFO) and, when that predecessor is the holder, its own node as well.
 *   <li>When the watched predecessor was the lowest node and is deleted, the lock is ours without
 *       another round trip: nodes created later sort after ours, and the watch on our own node
 *       would have fired first had our node gone (ZooKeeper delivers a client's watch events in
 *       the order of the changes). Otherwise the children are listed again.
 * </ol>
 *
 * <p>Giving up (cancel, timeout, interrupt, close) deletes the node with Curator's guaranteed
 * delete (retried in the background after a connection loss) and removes the predecessor watch; a
 * create still in flight is deleted when it answers. A lost session restarts the acquisition with
 * a new node, since the old one dies with the session. Every state change happens under {@link
 * #mutex}; ZooKeeper calls are made after it is released ({@link #enter}, {@link #leave}); what
 * is guarded, and how an acquisition restarts and ends, is {@link AcquisitionState}.
 *
 * <p>This class makes the rounds: the create and its listing (in the background or on the
 * caller), the answers to them, the decision ({@link QueuePosition}) and the grant. Waiting in line
 * behind a predecessor is {@link AcquisitionWatches}. Thread-safe; what blocks is said per method.
 */
final class Acquisition extends AcquisitionWatches {
    private final AcquisitionOwner owner;
    final CallerRunsFuture<LockGrant> future;

    Acquisition(
            AcquisitionOwner owner,
            Connection connection,
            LockNodeDriver driver,
            SessionConfirmations sessions,
            AcquireRequest request,
            LockPaths.Lock lock) {
        super(connection, driver, sessions, request, lock);
        this.owner = owner;
        // the first round runs on the caller that waits, or (dispatched) on the manager's thread
        this.future = new CallerRunsFuture<LockGrant>(Callbacks.CALLER_RUNS)
                .onCancel(this::cancelled)
                .defer(this::begin);
    }

    /** Starts a new round: a new node, pipelined with a listing. */
    @Override
    void start() {
        begin(false);
    }

    /**
     * Starts a new round. On the waiting caller's thread ({@code onCaller}), the create is sent
     * asynchronously as always but the listing pipelined behind it is a blocking call, which
     * ZooKeeper's I/O thread answers by waking the caller directly; when the create's answer is in
     * by then (it arrived first, on the event thread), the caller decides and, uncontended, takes
     * the lock itself, without waiting for a hand-over from the event thread.
     */
    void begin(boolean onCaller) {
        int r = newRound();
        if (r == 0) {
            return;
        }
        if (r < 0) {
            owner.failed(this, "its lock node kept vanishing (" + MAX_ROUNDS + " attempts)", null);
            return;
        }
        Long released = onCaller && driver.connected() ? owner.takeReleased(lock.parent(), this) : null;
        if (released != null) {
            createOnCaller(r, released);
            return;
        }
        if (!driver.create(lock, r, this)) {
            return;
        }
        if (onCaller && driver.connected()) {
            listOnCaller(r);
        } else {
            driver.list(lock.parent(), Call.PIPELINED_LISTING, r, this);
        }
    }

    /**
     * The pipelined listing as a blocking call on the caller; any failure means "list again once
     * the create answers". After a listing, the create's answer is already on the event thread's
     * queue (ZooKeeper answers a session's calls in order): the caller waits for it and decides
     * itself, so that the lock completes on the caller's thread.
     */
    private void listOnCaller(int r) {
        List<String> children = null;
        try {
            children = driver.children(lock.parent());
            mutex.lockInterruptibly();
            try {
                while (r == round && !finished && !createAnswered) {
                    createAnswer.await(100, TimeUnit.MILLISECONDS); // signalled; bounded all the same
                }
            } finally {
                mutex.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
        } catch (Exception e) {
            // NoNode (the create makes the parent), connection loss...: the create's answer decides
        }
        Code code = children == null ? Code.SYSTEMERROR : Code.OK;
        answered(Call.PIPELINED_LISTING, r, -1, code.intValue(), null, null, children);
    }

    /**
     * The caller's create after this engine itself deleted the lock's previous node (czxid {@code
     * released}), with no listing. A create that got no answer (its node, if made, is swept by the
     * driver) goes on in the background with a new node, until the caller cancels. When the new
     * node's czxid is exactly two past the released one, the only write the ensemble made in
     * between was that delete, so no node was created under the parent since the released one,
     * which held the lock (every earlier node was gone): the new node is alone and the lock is
     * ours. After any other write in between, the caller lists.
     */
    private void createOnCaller(int r, long released) {
        Stat created = new Stat();
        String path;
        try {
            path = driver.create(lock, created);
        } catch (Exception e) {
            fail(e instanceof KeeperException keeper ? keeper.code() : null, e);
            return;
        }
        if (path == null) {
            start(); // no answer, or the session ended: a new node
            return;
        }
        List<Runnable> after = enter(r);
        if (after == null) {
            connection.deleteQuietly(path); // given up meanwhile: leave nothing behind
            return;
        }
        boolean list = false;
        try {
            node = path;
            createAnswered = true;
            if (created.getCzxid() == 0) {
                // Curator found its protected node after a connection loss: no stat came back
                pipelinedAnswered = true;
                after.add(() -> readStat(r)); // then lists
            } else {
                stat = created;
                if (created.getCzxid() == released + 2) {
                    grant(after);
                } else {
                    list = true;
                }
            }
        } finally {
            leave(after);
        }
        if (list) {
            listOnCaller(r);
        }
    }

    /**
     * An answer to a background call of round {@code r} (and predecessor watch {@code s}), on
     * ZooKeeper's event thread. The create's answer counts even for a round that is over: its node
     * is deleted then.
     */
    @Override
    public void answered(Call call, int r, int s, int resultCode, String path, Stat stat, List<String> children) {
        Code code = Code.get(resultCode);
        if (call == Call.CREATE) {
            created(r, code, path, stat);
            return;
        }
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            switch (call) {
                case PIPELINED_LISTING -> pipelinedChildren(r, code == Code.OK ? children : null, after);
                case LISTING -> listed(r, code, children, after);
                case STAT -> statRead(r, code, stat, after);
                case OWN_WATCH -> ownWatchSet(code, after);
                case PREDECESSOR_WATCH -> predecessorWatchSet(r, s, code, after);
                case WATCHED_LISTING -> watchedListing(r, s, code, children, after);
                default -> throw new IllegalArgumentException(call.name());
            }
        } finally {
            leave(after);
        }
    }

    @Override
    public void notSent(Exception failure) {
        fail(null, failure);
    }

    private void created(int r, Code code, String path, Stat answered) {
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r == round) {
                createAnswered = true;
                createAnswer.signalAll();
            }
            if (r != round || finished) {
                if (code == Code.OK && path != null) {
                    after.add(() -> connection.deleteQuietly(path)); // given up meanwhile: leave nothing behind
                }
            } else if (code != Code.OK) {
                finished = true;
                after.add(() -> owner.failed(this, "the create of its lock node failed", code));
            } else {
                node = path;
                stat = answered;
                if (stat == null) {
                    // Curator found our protected node after a connection loss: read its stat once
                    after.add(() -> readStat(r));
                } else if (pipelinedAnswered) {
                    evaluate(r, pipelined, true, after);
                }
            }
        } finally {
            leave(after);
        }
    }

    /** Called with the mutex held: the listing pipelined behind the create ({@code null}: it failed). */
    private void pipelinedChildren(int r, List<String> children, List<Runnable> after) {
        pipelinedAnswered = true;
        pipelined = children;
        if (stat != null) {
            evaluate(r, pipelined, true, after);
        }
    }

    private void readStat(int r) {
        String path;
        mutex.lock();
        try {
            if (r != round || finished) {
                return;
            }
            path = node;
        } finally {
            mutex.unlock();
        }
        driver.readStat(path, r, this);
    }

    /** Called with the mutex held. */
    private void statRead(int r, Code code, Stat read, List<Runnable> after) {
        if (code == Code.OK && read != null) {
            stat = read;
            if (pipelinedAnswered) {
                evaluate(r, pipelined, true, after);
            }
        } else if (code == Code.NONODE) {
            vanished(after);
        } else {
            finished = true;
            after.add(() -> owner.failed(this, "reading its lock node failed", code));
        }
    }

    @Override
    void list(int r) {
        driver.list(lock.parent(), Call.LISTING, r, this);
    }

    /** Called with the mutex held. */
    private void listed(int r, Code code, List<String> children, List<Runnable> after) {
        if (code == Code.OK) {
            evaluate(r, children, false, after);
        } else if (code == Code.NONODE) {
            vanished(after); // the parent is gone, so our node is too
        } else {
            stalled = true;
        }
    }

    /** Called with the mutex held: decides from a listing of the parent's children ({@link QueuePosition}). */
    @Override
    void evaluate(int r, List<String> children, boolean fromPipeline, List<Runnable> after) {
        String mine = LockPaths.nameOf(node);
        if (children == null || !children.contains(mine)) {
            if (fromPipeline) {
                // the listing overtook the create (a retried create, or a parent created meanwhile)
                after.add(() -> list(r));
            } else {
                vanished(after);
            }
            return;
        }
        QueuePosition position = QueuePosition.of(request, lock.parent(), children, mine);
        if (position.disagrees()) {
            refuse(position.theirPermits(), after);
        } else if (position.holds()) {
            grant(after);
        } else if (request.singleAttempt()) {
            finished = true;
            String path = node;
            after.add(() -> connection.deleteThen(path, () -> owner.notAcquired(this)));
        } else if (position.behind() == null) {
            if (!childrenWatched) {
                watchChildren(r, after); // a semaphore's waiter
            }
        } else {
            watchPredecessor(r, position.behind(), position.nextInLine(), after);
        }
    }

    /** Called with the mutex held: a semaphore's permits disagree with an earlier node's; give up. */
    private void refuse(int theirs, List<Runnable> after) {
        finished = true;
        String path = node;
        IllegalArgumentException disagreement = new IllegalArgumentException("permits of semaphore '"
                + request.name() + "' was '" + request.permits() + "' but engine 'zookeeper' at "
                + connection.endpoint() + " holds it with " + theirs + " permits (every user of a semaphore"
                + " must ask with the same permits)");
        after.add(() -> connection.deleteThen(path, () -> owner.refused(this, disagreement)));
    }

    @Override
    void grant(List<Runnable> after) {
        finished = true;
        // the lock lives as long as the session: its lease counts from the session's last confirmation,
        // which this round's answered create is, unless a later request (a renewal, a probe) confirmed it
        long session = stat.getEphemeralOwner();
        ZooKeeperGrant grant = new ZooKeeperGrant(
                request, lock.parent(), node, stat.getCzxid(), session, sessions.confirmed(session, roundSentAt));
        if (request.mode() == AcquireMode.READ && request.downgrading().orElse(null) instanceof ZooKeeperGrant write) {
            grant.downgrades(write);
        }
        after.add(() -> owner.granted(this, grant));
    }

    @Override
    void nodeDeletedAfterEnd(String path) {
        owner.nodeDeleted(path);
    }

    @Override
    void forgotten() {
        owner.forget(this);
    }

    @Override
    void failed(String why, Code code) {
        owner.failed(this, why, code);
    }
}
