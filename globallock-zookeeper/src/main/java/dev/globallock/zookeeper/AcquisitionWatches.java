/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.zookeeper.LockNodeDriver.Call;
import java.util.List;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;

/**
 * Waiting in line, for an {@link Acquisition} whose node does not hold the lock yet: the watches it
 * sets (on its immediate predecessor, on its own node when that predecessor is the holder, or on
 * the parent's children for a semaphore's waiter), and what their answers and events mean. The
 * previous predecessor watch is removed when a new one is set; a watch of an earlier step (see
 * {@link #step}) no longer counts. When the watched predecessor was the holder and is deleted
 * while the watch on our own node stands, the lock is ours without another round trip; otherwise
 * the children are listed again ({@link #list}) and the listing decided ({@link #evaluate}).
 *
 * <p>Watch events arrive on ZooKeeper's event thread ({@link #watched}); a check that failed while
 * the connection was down is resumed by the engine's connection listener ({@link #reconnected}).
 * The methods taking {@code after} are called with {@link #mutex} held: the ZooKeeper calls they
 * decide on are added to it and made once the mutex is released ({@link #leave}). Nothing here
 * blocks.
 */
abstract class AcquisitionWatches extends AcquisitionState implements LockNodeDriver.Answers {
    AcquisitionWatches(
            Connection connection,
            LockNodeDriver driver,
            SessionConfirmations sessions,
            AcquireRequest request,
            LockPaths.Lock lock) {
        super(connection, driver, sessions, request, lock);
    }

    /** Called with the mutex held: decides from a listing of the parent's children that holds our node or not. */
    abstract void evaluate(int r, List<String> children, boolean fromPipeline, List<Runnable> after);

    /** Called with the mutex held: the lock is ours. */
    abstract void grant(List<Runnable> after);

    /** Lists the children again (outside the pipeline), to {@link #evaluate} them. */
    abstract void list(int r);

    /** Our own node, watched, was deleted after the acquisition ended: a holder may have lost it. */
    abstract void nodeDeletedAfterEnd(String path);

    /** A watch event on our own node ({@code own}) or on the predecessor's (of watch {@code s}). */
    @Override
    public void watched(boolean own, int r, int s, WatchedEvent event) {
        if (event.getType() == EventType.None) {
            return; // connection states: the engine's listener handles them; the watch stays
        }
        List<Runnable> after = enter(r);
        if (after == null) {
            if (own && event.getType() == EventType.NodeDeleted && event.getPath() != null) {
                nodeDeletedAfterEnd(event.getPath()); // the holder's node was deleted by someone else
            }
            return;
        }
        try {
            if (own) {
                ownNodeChanged(event, after);
            } else if (s == step) {
                predecessorChanged(r, event, after);
            }
        } finally {
            leave(after);
        }
    }

    /** The connection is back: resume a check that failed while it was down. */
    void reconnected() {
        int r;
        mutex.lock();
        try {
            if (finished || !stalled || stat == null) {
                return;
            }
            stalled = false;
            r = round;
        } finally {
            mutex.unlock();
        }
        list(r);
    }

    /** Called with the mutex held: a semaphore's waiter lists the parent's children, watching them. */
    final void watchChildren(int r, List<Runnable> after) {
        step++;
        int s = step;
        Watcher previousWatch = predecessorWatch;
        String previous = predecessor;
        predecessor = null;
        predecessorWasFirst = false;
        childrenWatched = false;
        predecessorWatch = driver.watcher(false, r, s, this);
        Watcher watch = predecessorWatch;
        after.add(() -> {
            if (previousWatch != null) {
                connection.removeWatch(
                        previousWatch, previous == null ? lock.parent() : lock.parent() + "/" + previous);
            }
            driver.listWatching(lock.parent(), watch, r, s, this);
        });
    }

    /** Called with the mutex held: the answer to a semaphore waiter's watched listing. */
    final void watchedListing(int r, int s, Code code, List<String> children, List<Runnable> after) {
        if (s != step) {
            return;
        }
        if (code == Code.OK) {
            childrenWatched = true;
            evaluate(r, children, false, after);
        } else if (code == Code.NONODE) {
            vanished(after);
        } else {
            stalled = true;
        }
    }

    /**
     * Called with the mutex held: waits behind {@code name}. The watch on our own node is what
     * makes the no-read handoff safe, so it is only worth its read when we are next in line
     * ({@code first}); deeper in the queue the predecessor's deletion is followed by a listing.
     */
    final void watchPredecessor(int r, String name, boolean first, List<Runnable> after) {
        step++;
        int s = step;
        Watcher previousWatch = predecessorWatch;
        String previous = predecessor;
        predecessor = name;
        predecessorWasFirst = first;
        predecessorWatch = driver.watcher(false, r, s, this);
        Watcher watch = predecessorWatch;
        String predecessorPath = lock.parent() + "/" + predecessor;
        Watcher own = null;
        if (ownWatch == null && predecessorWasFirst) {
            ownWatch = driver.watcher(true, r, s, this);
            own = ownWatch;
        }
        Watcher ownToSet = own;
        String path = node;
        after.add(() -> {
            if (previousWatch != null) {
                connection.removeWatch(previousWatch, lock.parent() + "/" + previous);
            }
            // own node first: a NoNode answer to it then arrives before the predecessor's
            if (ownToSet == null || driver.watch(path, ownToSet, Call.OWN_WATCH, r, s, this)) {
                driver.watch(predecessorPath, watch, Call.PREDECESSOR_WATCH, r, s, this);
            }
        });
    }

    /** Called with the mutex held. */
    final void ownWatchSet(Code code, List<Runnable> after) {
        if (code == Code.NONODE) {
            vanished(after);
        } else if (code != Code.OK) {
            // without the watch on our own node the shortcut is unsafe: always list instead
            ownWatch = null;
            stalled = true;
        }
    }

    /** Called with the mutex held. */
    final void predecessorWatchSet(int r, int s, Code code, List<Runnable> after) {
        if (s != step) {
            return;
        }
        if (code == Code.NONODE) {
            predecessorGone(r, after); // gone before the watch was set
        } else if (code != Code.OK) {
            stalled = true;
        }
    }

    /** Called with the mutex held, for the current predecessor watch. */
    private void predecessorChanged(int r, WatchedEvent event, List<Runnable> after) {
        predecessorWatch = null;
        if (request.mode() == AcquireMode.PERMIT) {
            watchChildren(r, after); // the children changed: look again, watching them again
        } else if (event.getType() == EventType.NodeDeleted) {
            predecessorGone(r, after);
        } else {
            after.add(() -> list(r));
        }
    }

    /** Called with the mutex held: the watched predecessor was deleted. */
    private void predecessorGone(int r, List<Runnable> after) {
        if (predecessorWasFirst && ownWatch != null) {
            grant(after);
        } else {
            after.add(() -> list(r));
        }
    }

    /** Called with the mutex held. */
    private void ownNodeChanged(WatchedEvent event, List<Runnable> after) {
        if (event.getType() == EventType.NodeDeleted) {
            vanished(after);
        } else {
            // someone wrote to our node: the one-shot watch is spent, so stop relying on it
            ownWatch = null;
        }
    }
}
