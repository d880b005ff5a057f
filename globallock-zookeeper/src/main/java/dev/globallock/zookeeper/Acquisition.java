package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.CuratorFramework;
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
 * round, {@link #begin}, inside its {@code get}: see {@link CallerRunsFuture}) makes the first
 * listing as a blocking call on its own thread.
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
 * #mutex}; ZooKeeper calls are made after it is released.
 */
final class Acquisition {

    /** Restarts (session lost, node vanished) before giving up: a safety net against loops. */
    private static final int MAX_ROUNDS = 50;

    private static final Comparator<String> BY_SEQUENCE =
            Comparator.comparingLong(child -> LockPaths.sequenceOf(child).orElse(Long.MAX_VALUE));

    private final ZooKeeperLockEngine engine;
    private final CuratorFramework client;
    final AcquireRequest request;
    private final String parent;
    private final String nodePrefix;
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

    Acquisition(ZooKeeperLockEngine engine, CuratorFramework client, AcquireRequest request) {
        this.engine = engine;
        this.client = client;
        this.request = request;
        LockPaths.Lock paths = engine.pathsOf(request.key());
        this.parent = paths.parent();
        this.nodePrefix = paths.nodePrefix();
        // the first round runs on the caller that waits, or (dispatched) on the manager's thread
        this.future = new CallerRunsFuture<LockGrant>(ZooKeeperLockEngine.CALLER_RUNS)
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
                roundSentAt = engine.now();
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
            engine.failed(this, "acquire", "its lock node kept vanishing (" + MAX_ROUNDS + " attempts)", null);
            return;
        }
        Long released = onCaller && engine.connected() ? engine.takeReleased(parent, this) : null;
        if (released != null) {
            createOnCaller(r, released);
            return;
        }
        try {
            client.create()
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .inBackground((c, event) -> created(r, event))
                    .forPath(nodePrefix, ZooKeeperLockEngine.NO_DATA);
            if (onCaller && engine.connected()) {
                listOnCaller(r);
            } else {
                client.getChildren()
                        .inBackground((c, event) -> pipelinedChildren(r, event.getResultCode(), event.getChildren()))
                        .forPath(parent);
            }
        } catch (Exception e) {
            fail("acquire", null, e);
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
            children = engine.zooKeeper().getChildren(engine.fullPath(parent), false);
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
     * released}): a blocking create of a protected node on the raw ZooKeeper handle (on a client
     * the application gave, Curator's protected create), and no listing. A create whose answer
     * never came (connection lost, or interrupted at the caller's deadline) has its node found by
     * its protected name and deleted in the background, again after a reconnect if need be, and
     * the acquisition goes on in the background with a new node; a parent reaped meanwhile is
     * made again by Curator's create. When the new node's czxid is exactly two past the released one, the only
     * write the ensemble made in between was that delete, so no node was created under the
     * parent since the released one, which held the lock (every earlier node was gone): the new
     * node is alone and the lock is ours. After any other write in between, the caller lists.
     */
    private void createOnCaller(int r, long released) {
        Stat created = new Stat();
        String path;
        if (engine.createsOnCaller()) {
            // the raw handle: no Curator builder, retry loop or path validation per call
            String protectedPrefix = engine.protectedNodePrefix(parent);
            try {
                path = engine.createOnCaller(protectedPrefix, created);
            } catch (KeeperException.NoNodeException e) {
                curatorCreateOnCaller(r, released); // the parent is gone: Curator's create makes it
                return;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
                }
                if (ZooKeeperLockEngine.outcomeUnknown(e)) {
                    engine.sweepLater(parent, protectedPrefix); // its node may exist: find and delete it
                    start(); // goes on in the background (a new node) until the caller cancels
                } else if (e instanceof KeeperException keeper && keeper.code() == Code.SESSIONEXPIRED) {
                    start(); // no node outlives the session; Curator makes a new one
                } else {
                    fail("acquire", e instanceof KeeperException keeper ? keeper.code() : null, e);
                }
                return;
            }
        } else {
            curatorCreateOnCaller(r, released);
            return;
        }
        createdOnCaller(r, released, path, created);
    }

    /** {@link #createOnCaller} with Curator's protected create. */
    private void curatorCreateOnCaller(int r, long released) {
        Stat created = new Stat();
        String path;
        try {
            path = client.create()
                    .storingStatIn(created)
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(nodePrefix, ZooKeeperLockEngine.NO_DATA);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
            start(); // goes on in the background (a new node) until the caller cancels
            return;
        } catch (Exception e) {
            Code code = e instanceof KeeperException keeper ? keeper.code() : null;
            fail("acquire", code, e);
            return;
        }
        createdOnCaller(r, released, path, created);
    }

    private void createdOnCaller(int r, long released, String path, Stat created) {
        List<Runnable> after = new ArrayList<>(2);
        boolean list = false;
        mutex.lock();
        try {
            if (r != round || finished) {
                after.add(() -> engine.deleteQuietly(path)); // given up meanwhile: leave nothing behind
            } else {
                node = path;
                createAnswered = true;
                if (created.getCzxid() == 0) {
                    // Curator found its protected node after a connection loss: no stat came back
                    pipelinedAnswered = true;
                    after.add(() -> readStat(r)); // then lists
                } else if (created.getCzxid() == released + 2) {
                    stat = created;
                    grant(after);
                } else {
                    stat = created;
                    list = true;
                }
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
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
                    after.add(() -> engine.deleteQuietly(path)); // given up meanwhile: leave nothing behind
                }
                return;
            }
            if (code != Code.OK) {
                finished = true;
                after.add(() -> engine.failed(this, "acquire", "the create of its lock node failed", code));
                return;
            }
            node = path;
            stat = event.getStat();
            if (stat == null) {
                // Curator found our protected node after a connection loss: read its stat once
                after.add(() -> readStat(r));
            } else if (pipelinedAnswered) {
                evaluate(r, pipelined, true, after);
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    private void pipelinedChildren(int r, int resultCode, List<String> children) {
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r != round || finished) {
                return;
            }
            pipelinedAnswered = true;
            pipelined = resultCode == Code.OK.intValue() ? children : null;
            if (stat != null) {
                evaluate(r, pipelined, true, after);
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
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
            client.checkExists().inBackground((c, event) -> statRead(r, event)).forPath(path);
        } catch (Exception e) {
            fail("acquire", null, e);
        }
    }

    private void statRead(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r != round || finished) {
                return;
            }
            if (code == Code.OK && event.getStat() != null) {
                stat = event.getStat();
                if (pipelinedAnswered) {
                    evaluate(r, pipelined, true, after);
                }
            } else if (code == Code.NONODE) {
                vanished(after);
            } else {
                finished = true;
                after.add(() -> engine.failed(this, "acquire", "reading its lock node failed", code));
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    /** Lists the children again (outside the pipeline). */
    private void list(int r) {
        try {
            client.getChildren().inBackground((c, event) -> listed(r, event)).forPath(parent);
        } catch (Exception e) {
            fail("acquire", null, e);
        }
    }

    private void listed(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r != round || finished) {
                return;
            }
            if (code == Code.OK) {
                evaluate(r, event.getChildren(), false, after);
            } else if (code == Code.NONODE) {
                vanished(after); // the parent is gone, so our node is too
            } else {
                stalled = true;
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
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
        List<String> ordered = new ArrayList<>(children.size());
        for (String child : children) {
            if (LockPaths.sequenceOf(child).isPresent()) {
                ordered.add(child);
            }
        }
        ordered.sort(BY_SEQUENCE);
        int index = ordered.indexOf(mine);
        if (index == 0) {
            grant(after);
            return;
        }
        if (request.singleAttempt()) {
            finished = true;
            String path = node;
            after.add(() -> engine.deleteThen(path, () -> engine.notAcquired(this)));
            return;
        }
        step++;
        int s = step;
        Watcher previousWatch = predecessorWatch;
        String previous = predecessor;
        predecessor = ordered.get(index - 1);
        predecessorWasFirst = index == 1;
        predecessorWatch = event -> predecessorChanged(r, s, event);
        Watcher watch = predecessorWatch;
        String predecessorPath = parent + "/" + predecessor;
        Watcher own = null;
        // The watch on our own node is what makes the no-read handoff safe, so it is only worth its
        // read when we are next in line; deeper in the queue the predecessor's deletion is
        // followed by a listing anyway.
        if (ownWatch == null && predecessorWasFirst) {
            ownWatch = event -> ownNodeChanged(r, event);
            own = ownWatch;
        }
        Watcher ownToSet = own;
        String path = node;
        after.add(() -> {
            if (previousWatch != null) {
                engine.removeWatch(previousWatch, parent + "/" + previous);
            }
            try {
                // own node first: a NoNode answer to it then arrives before the predecessor's
                if (ownToSet != null) {
                    client.getData()
                            .usingWatcher(ownToSet)
                            .inBackground((c, event) -> ownWatchSet(r, event))
                            .forPath(path);
                }
                client.getData()
                        .usingWatcher(watch)
                        .inBackground((c, event) -> predecessorWatchSet(r, s, event))
                        .forPath(predecessorPath);
            } catch (Exception e) {
                fail("acquire", null, e);
            }
        });
    }

    private void ownWatchSet(int r, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r != round || finished) {
                return;
            }
            if (code == Code.NONODE) {
                vanished(after);
            } else if (code != Code.OK) {
                // without the watch on our own node the shortcut is unsafe: always list instead
                ownWatch = null;
                stalled = true;
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    private void predecessorWatchSet(int r, int s, CuratorEvent event) {
        Code code = Code.get(event.getResultCode());
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r != round || s != step || finished) {
                return;
            }
            if (code == Code.NONODE) {
                predecessorGone(r, after); // gone before the watch was set
            } else if (code != Code.OK) {
                stalled = true;
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    private void predecessorChanged(int r, int s, WatchedEvent event) {
        if (event.getType() == EventType.None) {
            return; // connection states: the engine's listener handles them; the watch stays
        }
        List<Runnable> after = new ArrayList<>(2);
        mutex.lock();
        try {
            if (r != round || s != step || finished) {
                return;
            }
            predecessorWatch = null;
            if (event.getType() == EventType.NodeDeleted) {
                predecessorGone(r, after);
            } else {
                after.add(() -> list(r));
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
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
        List<Runnable> after = new ArrayList<>(2);
        boolean waiting;
        mutex.lock();
        try {
            waiting = r == round && !finished;
            if (waiting) {
                if (event.getType() == EventType.NodeDeleted) {
                    vanished(after);
                } else {
                    // someone wrote to our node: the one-shot watch is spent, so stop relying on it
                    ownWatch = null;
                }
            }
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
        if (!waiting && event.getType() == EventType.NodeDeleted && event.getPath() != null) {
            engine.nodeDeleted(event.getPath()); // the holder's node was deleted by someone else
        }
    }

    /** Called with the mutex held: our node is gone while we wait; start over with a new one. */
    private void vanished(List<Runnable> after) {
        if (predecessorWatch != null) {
            Watcher watch = predecessorWatch;
            String path = parent + "/" + predecessor;
            after.add(() -> engine.removeWatch(watch, path));
            predecessorWatch = null;
        }
        after.add(this::start);
    }

    /** Called with the mutex held: the lock is ours. */
    private void grant(List<Runnable> after) {
        finished = true;
        // the lock lives as long as the session: its lease counts from the session's last confirmation,
        // which this round's answered create is, unless a later request (a renewal, a probe) confirmed it
        long session = stat.getEphemeralOwner();
        engine.sessionConfirmed(session, roundSentAt);
        ZooKeeperGrant grant = new ZooKeeperGrant(
                request, parent, node, stat.getCzxid(), session, engine.sessionConfirmedAt(session, roundSentAt));
        after.add(() -> engine.granted(this, grant));
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
        String old;
        Watcher watch;
        String watched;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            old = node;
            watch = predecessorWatch;
            watched = parent + "/" + predecessor;
            predecessorWatch = null;
        } finally {
            mutex.unlock();
        }
        if (watch != null) {
            engine.removeWatch(watch, watched);
        }
        if (old != null) {
            engine.deleteQuietly(old); // the server may not have expired the old session yet
        }
        start();
    }

    /** The manager gave up on this acquisition: leave nothing behind. */
    private void cancelled() {
        String toDelete;
        Watcher watch;
        String watched;
        mutex.lock();
        try {
            if (finished) {
                return; // granted (the engine releases a grant nobody took) or already settled
            }
            finished = true;
            createAnswer.signalAll();
            toDelete = node; // null while the create is in flight: created() deletes it then
            watch = predecessorWatch;
            watched = parent + "/" + predecessor;
            predecessorWatch = null;
        } finally {
            mutex.unlock();
        }
        engine.forget(this);
        if (watch != null) {
            engine.removeWatch(watch, watched);
        }
        if (toDelete != null) {
            engine.deleteQuietly(toDelete);
        }
    }

    /** Ends the acquisition with an error (engine closing or abandoned); deletes its node. */
    void abort(String why) {
        String toDelete;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            createAnswer.signalAll();
            toDelete = node;
        } finally {
            mutex.unlock();
        }
        if (toDelete != null) {
            engine.deleteQuietly(toDelete);
        }
        engine.failed(this, "acquire", why, null);
    }

    private void fail(String operation, Code code, Exception cause) {
        String toDelete;
        mutex.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            createAnswer.signalAll();
            toDelete = node;
        } finally {
            mutex.unlock();
        }
        if (toDelete != null) {
            engine.deleteQuietly(toDelete);
        }
        engine.failed(this, operation, cause == null ? "a ZooKeeper call failed" : cause.toString(), code);
    }

    String parent() {
        return parent;
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
