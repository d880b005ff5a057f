/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * What an {@link Acquisition} knows, guarded by its {@link #mutex}, and how it ends: its rounds
 * (every restart is a new round, and answers and watch events of an earlier round no longer count:
 * {@link #enter}), the node of the current round and what was learnt about it, the predecessor it
 * waits behind, and giving up (cancelled, aborted, failed), which leaves nothing behind: its node
 * is deleted (a create still in flight deletes its node when it answers) and a cancelled one drops
 * its predecessor watch. ZooKeeper calls are never made under the mutex: they are collected while
 * it is held and made once it is released ({@link #leave}).
 */
abstract class AcquisitionState {
    /** Restarts (session lost, node vanished) before giving up: a safety net against loops. */
    static final int MAX_ROUNDS = 50;

    final Connection connection;
    final LockNodeDriver driver;
    final SessionConfirmations sessions;
    final AcquireRequest request;
    final LockPaths.Lock lock;
    final ReentrantLock mutex = new ReentrantLock();
    /** Signalled when the create of the current round has answered (a caller may wait for it). */
    final Condition createAnswer = mutex.newCondition();

    // --- guarded by mutex
    /** Bumped on every (re)start: answers and watches of an earlier round are ignored. */
    int round;
    /** Bumped on every new predecessor watch: events of an older watch are ignored. */
    int step;

    String node;
    Stat stat;
    boolean createAnswered;
    boolean pipelinedAnswered;
    List<String> pipelined;
    String predecessor;
    boolean predecessorWasFirst;
    Watcher predecessorWatch;
    Watcher ownWatch;
    /** A semaphore's waiter: the answer to its watched listing is in, its children watch set. */
    boolean childrenWatched;
    /** A read failed after Curator's retries: check again when the connection is back. */
    boolean stalled;
    /** Granted, given up, failed or cancelled: nothing more to do. */
    boolean finished;
    /** The manager's ticker when this round's create was sent. */
    long roundSentAt;

    AcquisitionState(
            Connection connection,
            LockNodeDriver driver,
            SessionConfirmations sessions,
            AcquireRequest request,
            LockPaths.Lock lock) {
        this.connection = connection;
        this.driver = driver;
        this.sessions = sessions;
        this.request = request;
        this.lock = lock;
    }

    /**
     * Starts a new round, forgetting the last one: its number; 0 when the acquisition has ended, or
     * -1 (and ended) after {@value #MAX_ROUNDS} rounds.
     */
    final int newRound() {
        mutex.lock();
        try {
            if (finished) {
                return 0;
            }
            int r;
            if (round >= MAX_ROUNDS) {
                finished = true;
                r = -1;
            } else {
                r = ++round;
                roundSentAt = sessions.now();
            }
            step++;
            node = null;
            stat = null;
            createAnswered = false;
            pipelinedAnswered = false;
            pipelined = null;
            predecessor = null;
            predecessorWatch = null;
            ownWatch = null;
            childrenWatched = false;
            stalled = false;
            return r;
        } finally {
            mutex.unlock();
        }
    }

    /** Called with the mutex held: forgets the predecessor watch, removed from client and server after. */
    final void dropPredecessorWatch(List<Runnable> after) {
        if (predecessorWatch != null) {
            Watcher watch = predecessorWatch;
            // no predecessor: a semaphore's waiter watches the parent's children
            String path = predecessor == null ? lock.parent() : lock.parent() + "/" + predecessor;
            after.add(() -> connection.removeWatch(watch, path));
            predecessorWatch = null;
        }
    }

    /** Starts a new round: a new node (the last one is gone, or is being deleted). */
    abstract void start();

    /** Called with the mutex held: our node is gone while we wait; start over with a new one. */
    final void vanished(List<Runnable> after) {
        dropPredecessorWatch(after);
        after.add(this::start);
    }

    /** The session expired: our node died with it (or will, on the server); start over. */
    final void sessionLost() {
        List<Runnable> after = new ArrayList<>(3);
        mutex.lock();
        try {
            if (!finished) {
                dropPredecessorWatch(after);
                String old = node;
                if (old != null) {
                    after.add(() -> connection.deleteQuietly(old)); // the server may not have expired it yet
                }
                after.add(this::start);
            }
        } finally {
            leave(after);
        }
    }

    /** The manager gave up on this acquisition: leave nothing behind. */
    final void cancelled() {
        end(true, null, null);
    }

    /** Ends the acquisition with an error (engine closing or abandoned); deletes its node. */
    void abort(String why) {
        end(false, why, null);
    }

    final void fail(Code code, Exception cause) {
        end(false, cause == null ? "a ZooKeeper call failed" : cause.toString(), code);
    }

    /**
     * Ends the acquisition unless it has ended (granted: the engine releases a grant nobody took),
     * deleting its node (a create still in flight deletes its node when it answers): cancelled, or
     * failed {@code why}, which the owner is told ({@link #forgotten}, {@link #failed}). A cancelled one also drops its predecessor watch.
     */
    private void end(boolean cancelled, String why, Code code) {
        List<Runnable> after = new ArrayList<>(4);
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            createAnswer.signalAll();
            String toDelete = node; // null while the create is in flight: created() deletes it then
            if (cancelled) {
                after.add(this::forgotten);
                dropPredecessorWatch(after);
            }
            if (toDelete != null) {
                after.add(() -> connection.deleteQuietly(toDelete));
            }
            if (!cancelled) {
                after.add(() -> failed(why, code));
            }
        } finally {
            leave(after);
        }
    }

    /**
     * Locks the mutex for an answer or event of round {@code r}: what to do once it is released
     * (ZooKeeper calls are made outside it, by {@link #leave}), or null, unlocked, when that round
     * is over or the acquisition has ended.
     */
    final List<Runnable> enter(int r) {
        mutex.lock();
        if (r == round && !finished) {
            return new ArrayList<>(2);
        }
        mutex.unlock();
        return null;
    }

    /** Releases the mutex, then does what was decided under it. */
    final void leave(List<Runnable> after) {
        mutex.unlock();
        after.forEach(Runnable::run);
    }

    String parent() {
        return lock.parent();
    }

    @Override
    public String toString() {
        mutex.lock();
        try {
            return "Acquisition{" + request.name() + ", node=" + node + ", round=" + round
                    + (predecessor != null ? ", behind " + predecessor : "") + (finished ? ", finished" : "") + "}";
        } finally {
            mutex.unlock();
        }
    }

    /** A cancelled acquisition is forgotten by its owner (first, before its node is deleted). */
    abstract void forgotten();

    /** A failed acquisition tells its owner (last, after its node is deleted). */
    abstract void failed(String why, Code code);
}
