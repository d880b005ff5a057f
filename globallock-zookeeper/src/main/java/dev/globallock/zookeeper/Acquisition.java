package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
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
 * #mutex}; ZooKeeper calls are made after it is released ({@link #enter}, {@link #leave}).
 */
final class Acquisition {
    /** What an acquisition reports to, and asks of, the engine's table of acquisitions. */
    interface Owner {
        /** The czxid of the lock's last node the engine deleted, for the no-listing shortcut, or null. */
        Long takeReleased(String parent, Acquisition taker);

        /** The lock is the acquisition's: hold it, then complete the future. */
        void granted(Acquisition acquisition, ZooKeeperGrant grant);

        /** A single attempt found the lock held (its node is deleted). */
        void notAcquired(Acquisition acquisition);

        /** The acquisition failed; {@code code} is ZooKeeper's answer when one caused it. */
        void failed(Acquisition acquisition, String why, Code code);

        /** The acquisition was cancelled: nothing to complete. */
        void forget(Acquisition acquisition);

        /** A watched lock node was deleted after its acquisition ended: a holder may have lost it. */
        void nodeDeleted(String node);
    }

    /** Restarts (session lost, node vanished) before giving up: a safety net against loops. */
    private static final int MAX_ROUNDS = 50;

    private final Owner owner;
    private final Connection connection;
    private final LockNodeDriver driver;
    private final SessionConfirmations sessions;
    final AcquireRequest request;
    private final LockPaths.Lock lock;
    final CallerRunsFuture<LockGrant> future;
    private final ReentrantLock mutex = new ReentrantLock();
    /** Signalled when the create of the current round has answered (a caller may wait for it). */
    private final Condition createAnswer = mutex.newCondition();

    // --- guarded by mutex
    /** Bumped on every (re)start: answers and watches of an earlier round are ignored. */
    private int round;
    /** Bumped on every new predecessor watch: events of an older watch are ignored. */
    private int step;

    private String node;
    private Stat stat;
    private boolean createAnswered;
    private boolean pipelinedAnswered;
    private List<String> pipelined;
    private String predecessor;
    private boolean predecessorWasFirst;
    private Watcher predecessorWatch;
    private Watcher ownWatch;
    /** A read failed after Curator's retries: check again when the connection is back. */
    private boolean stalled;
    /** Granted, given up, failed or cancelled: nothing more to do. */
    private boolean finished;
    /** The manager's ticker when this round's create was sent. */
    private long roundSentAt;

    Acquisition(
            Owner owner,
            Connection connection,
            LockNodeDriver driver,
            SessionConfirmations sessions,
            AcquireRequest request,
            LockPaths.Lock lock) {
        this.owner = owner;
        this.connection = connection;
        this.driver = driver;
        this.sessions = sessions;
        this.request = request;
        this.lock = lock;
        // the first round runs on the caller that waits, or (dispatched) on the manager's thread
        this.future = new CallerRunsFuture<LockGrant>(Callbacks.CALLER_RUNS)
                .onCancel(this::cancelled)
                .defer(this::begin);
    }

    /** Starts a new round: a new node, pipelined with a listing. */
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
        int r;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
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
            stalled = false;
        } finally {
            mutex.unlock();
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
        try {
            connection
                    .client()
                    .create()
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .inBackground((c, event) -> created(r, event))
                    .forPath(lock.nodePrefix(), LockPaths.NO_DATA);
            if (onCaller && driver.connected()) {
                listOnCaller(r);
            } else {
                connection
                        .client()
                        .getChildren()
                        .inBackground((c, event) -> pipelinedChildren(r, event.getResultCode(), event.getChildren()))
                        .forPath(lock.parent());
            }
        } catch (Exception e) {
            fail(null, e);
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
        pipelinedChildren(r, children == null ? Code.SYSTEMERROR.intValue() : Code.OK.intValue(), children);
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

    private void created(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        String path = event.getName();
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
                stat = event.getStat();
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

    private void pipelinedChildren(int r, int resultCode, List<String> children) {
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            pipelinedAnswered = true;
            pipelined = resultCode == Code.OK.intValue() ? children : null;
            if (stat != null) {
                evaluate(r, pipelined, true, after);
            }
        } finally {
            leave(after);
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
        try {
            connection
                    .client()
                    .checkExists()
                    .inBackground((c, event) -> statRead(r, event))
                    .forPath(path);
        } catch (Exception e) {
            fail(null, e);
        }
    }

    private void statRead(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            if (code == Code.OK && event.getStat() != null) {
                stat = event.getStat();
                if (pipelinedAnswered) {
                    evaluate(r, pipelined, true, after);
                }
            } else if (code == Code.NONODE) {
                vanished(after);
            } else {
                finished = true;
                after.add(() -> owner.failed(this, "reading its lock node failed", code));
            }
        } finally {
            leave(after);
        }
    }

    /** Lists the children again (outside the pipeline). */
    private void list(int r) {
        try {
            connection
                    .client()
                    .getChildren()
                    .inBackground((c, event) -> listed(r, event))
                    .forPath(lock.parent());
        } catch (Exception e) {
            fail(null, e);
        }
    }

    private void listed(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            if (code == Code.OK) {
                evaluate(r, event.getChildren(), false, after);
            } else if (code == Code.NONODE) {
                vanished(after); // the parent is gone, so our node is too
            } else {
                stalled = true;
            }
        } finally {
            leave(after);
        }
    }

    /** Called with the mutex held: decides from a listing of the parent's children. */
    private void evaluate(int r, List<String> children, boolean fromPipeline, List<Runnable> after) {
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
        List<String> ordered = LockPaths.inSequence(children);
        int index = ordered.indexOf(mine);
        if (index == 0) {
            grant(after);
        } else if (request.singleAttempt()) {
            finished = true;
            String path = node;
            after.add(() -> connection.deleteThen(path, () -> owner.notAcquired(this)));
        } else {
            watchPredecessor(r, ordered.get(index - 1), index == 1, after);
        }
    }

    /**
     * Called with the mutex held: waits behind {@code name}. The watch on our own node is what
     * makes the no-read handoff safe, so it is only worth its read when we are next in line
     * ({@code first}); deeper in the queue the predecessor's deletion is followed by a listing.
     */
    private void watchPredecessor(int r, String name, boolean first, List<Runnable> after) {
        step++;
        int s = step;
        Watcher previousWatch = predecessorWatch;
        String previous = predecessor;
        predecessor = name;
        predecessorWasFirst = first;
        predecessorWatch = event -> predecessorChanged(r, s, event);
        Watcher watch = predecessorWatch;
        String predecessorPath = lock.parent() + "/" + predecessor;
        Watcher own = null;
        if (ownWatch == null && predecessorWasFirst) {
            ownWatch = event -> ownNodeChanged(r, event);
            own = ownWatch;
        }
        Watcher ownToSet = own;
        String path = node;
        after.add(() -> {
            if (previousWatch != null) {
                connection.removeWatch(previousWatch, lock.parent() + "/" + previous);
            }
            try {
                // own node first: a NoNode answer to it then arrives before the predecessor's
                if (ownToSet != null) {
                    connection
                            .client()
                            .getData()
                            .usingWatcher(ownToSet)
                            .inBackground((c, event) -> ownWatchSet(r, event))
                            .forPath(path);
                }
                connection
                        .client()
                        .getData()
                        .usingWatcher(watch)
                        .inBackground((c, event) -> predecessorWatchSet(r, s, event))
                        .forPath(predecessorPath);
            } catch (Exception e) {
                fail(null, e);
            }
        });
    }

    private void ownWatchSet(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            if (code == Code.NONODE) {
                vanished(after);
            } else if (code != Code.OK) {
                // without the watch on our own node the shortcut is unsafe: always list instead
                ownWatch = null;
                stalled = true;
            }
        } finally {
            leave(after);
        }
    }

    private void predecessorWatchSet(int r, int s, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            if (s != step) {
                return;
            }
            if (code == Code.NONODE) {
                predecessorGone(r, after); // gone before the watch was set
            } else if (code != Code.OK) {
                stalled = true;
            }
        } finally {
            leave(after);
        }
    }

    private void predecessorChanged(int r, int s, WatchedEvent event) {
        if (event.getType() == EventType.None) {
            return; // connection states: the engine's listener handles them; the watch stays
        }
        List<Runnable> after = enter(r);
        if (after == null) {
            return;
        }
        try {
            if (s != step) {
                return;
            }
            predecessorWatch = null;
            if (event.getType() == EventType.NodeDeleted) {
                predecessorGone(r, after);
            } else {
                after.add(() -> list(r));
            }
        } finally {
            leave(after);
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

    private void ownNodeChanged(int r, WatchedEvent event) {
        if (event.getType() == EventType.None) {
            return;
        }
        List<Runnable> after = enter(r);
        if (after == null) {
            if (event.getType() == EventType.NodeDeleted && event.getPath() != null) {
                owner.nodeDeleted(event.getPath()); // the holder's node was deleted by someone else
            }
            return;
        }
        try {
            if (event.getType() == EventType.NodeDeleted) {
                vanished(after);
            } else {
                // someone wrote to our node: the one-shot watch is spent, so stop relying on it
                ownWatch = null;
            }
        } finally {
            leave(after);
        }
    }

    /** Called with the mutex held: our node is gone while we wait; start over with a new one. */
    private void vanished(List<Runnable> after) {
        dropPredecessorWatch(after);
        after.add(this::start);
    }

    /** Called with the mutex held: forgets the predecessor watch, removed from client and server after. */
    private void dropPredecessorWatch(List<Runnable> after) {
        if (predecessorWatch != null) {
            Watcher watch = predecessorWatch;
            String path = lock.parent() + "/" + predecessor;
            after.add(() -> connection.removeWatch(watch, path));
            predecessorWatch = null;
        }
    }

    /** Called with the mutex held: the lock is ours. */
    private void grant(List<Runnable> after) {
        finished = true;
        // the lock lives as long as the session: its lease counts from the session's last confirmation,
        // which this round's answered create is, unless a later request (a renewal, a probe) confirmed it
        long session = stat.getEphemeralOwner();
        ZooKeeperGrant grant = new ZooKeeperGrant(
                request, lock.parent(), node, stat.getCzxid(), session, sessions.confirmed(session, roundSentAt));
        after.add(() -> owner.granted(this, grant));
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

    /** The session expired: our node died with it (or will, on the server); start over. */
    void sessionLost() {
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
    private void cancelled() {
        end(true, null, null);
    }

    /** Ends the acquisition with an error (engine closing or abandoned); deletes its node. */
    void abort(String why) {
        end(false, why, null);
    }

    private void fail(Code code, Exception cause) {
        end(false, cause == null ? "a ZooKeeper call failed" : cause.toString(), code);
    }

    /**
     * Ends the acquisition unless it has ended (granted: the engine releases a grant nobody took),
     * deleting its node (a create still in flight deletes its node when it answers): cancelled, or
     * failed {@code why}, which the owner is told. A cancelled one also drops its predecessor watch.
     */
    private void end(boolean cancelled, String why, Code code) {
        String toDelete;
        Watcher watch = null;
        String watched = null;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            createAnswer.signalAll();
            toDelete = node;
            if (cancelled) {
                watch = predecessorWatch;
                watched = lock.parent() + "/" + predecessor;
                predecessorWatch = null;
            }
        } finally {
            mutex.unlock();
        }
        if (cancelled) {
            owner.forget(this);
        }
        if (watch != null) {
            connection.removeWatch(watch, watched);
        }
        if (toDelete != null) {
            connection.deleteQuietly(toDelete);
        }
        if (!cancelled) {
            owner.failed(this, why, code);
        }
    }

    /**
     * Locks the mutex for an answer or event of round {@code r}: what to do once it is released
     * (ZooKeeper calls are made outside it, by {@link #leave}), or null, unlocked, when that round
     * is over or the acquisition has ended.
     */
    private List<Runnable> enter(int r) {
        mutex.lock();
        if (r == round && !finished) {
            return new ArrayList<>(2);
        }
        mutex.unlock();
        return null;
    }

    /** Releases the mutex, then does what was decided under it. */
    private void leave(List<Runnable> after) {
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
}
