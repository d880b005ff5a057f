/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Durations;
import dev.globallock.LockBackendException;
import dev.globallock.spi.support.EngineErrors;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * The engine's Curator client as the engine's parts use it, made by {@link ZooKeeperConnector}: the
 * client under the engine's namespace (every lock path is relative to it), the raw ZooKeeper
 * handle, whether the engine is closed or abandoned, the background calls that clean up (each a
 * no-op once the engine is past caring), and closing. Thread-safe.
 */
final class Connection {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    /** How long closing a client that never connected may block before it is interrupted. */
    static final Duration CLOSE_BOUND_AFTER_FAILURE = Duration.ofMillis(500);

    /** The client as made or given: its connection state and raw handle. */
    private final CuratorFramework root;
    /** The same client under the engine's namespace. */
    private final CuratorFramework client;

    private final boolean ownsClient;
    /** The ACL of lock nodes when the engine made the client (so it knows its ACL provider), else null. */
    private final List<ACL> nodeAcl;

    private final String endpoint;
    private final EngineErrors errors;
    /** What the client's namespace puts in front of a namespace-relative path: "" or "/ns". */
    private final String namespacePrefix;
    /** How long closing an owned client may block before it is interrupted. */
    private final Duration closeBound;

    /** What the connector set up for the client and undoes at close (a temporary key store...). */
    private final AutoCloseable resources;

    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean abandoned;

    Connection(
            CuratorFramework root,
            CuratorFramework client,
            boolean ownsClient,
            List<ACL> nodeAcl,
            String endpoint,
            Duration closeBound,
            AutoCloseable resources) {
        this.root = root;
        this.client = client;
        this.ownsClient = ownsClient;
        this.nodeAcl = nodeAcl;
        this.endpoint = endpoint;
        this.errors = EngineErrors.of("zookeeper", () -> endpoint);
        String namespace = client.getNamespace();
        this.namespacePrefix = namespace == null || namespace.isEmpty() ? "" : ZKPaths.makePath(namespace, null);
        this.closeBound = closeBound;
        this.resources = resources;
    }

    /**
     * Listens to the client's connection states, then makes Curator create the namespace node (a
     * blocking call on the first operation of a namespaced client: here, where blocking is
     * expected, not in the first acquire). On failure, stops listening and closes an owned client.
     */
    void attach(ConnectionStateListener listener) {
        root.getConnectionStateListenable().addListener(listener);
        try {
            client.checkExists().forPath("/");
        } catch (Exception e) {
            root.getConnectionStateListenable().removeListener(listener);
            if (ownsClient) {
                closeBounded(root, CLOSE_BOUND_AFTER_FAILURE);
                releaseResources();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new LockBackendException(errors.say("could not create its namespace node: " + e), e);
        }
    }

    CuratorFramework client() {
        return client;
    }

    String endpoint() {
        return endpoint;
    }

    EngineErrors errors() {
        return errors;
    }

    /** The ACL of lock nodes when the engine made the client, else null (then Curator creates them). */
    List<ACL> nodeAcl() {
        return nodeAcl;
    }

    /** The session timeout the server granted, or 0 before it answered. */
    long negotiatedSessionTimeoutMillis() {
        return root.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    }

    /** Neither closed nor abandoned. */
    boolean usable() {
        return !closed.get() && !abandoned;
    }

    boolean abandoned() {
        return abandoned;
    }

    boolean closed() {
        return closed.get();
    }

    /** Whether the client is connected right now (Curator's state, no I/O), usable or not. */
    boolean clientConnected() {
        return root.getZookeeperClient().isConnected();
    }

    /** Usable and connected now: only then is a blocking call on a caller worth it. */
    boolean connected() {
        return usable() && clientConnected();
    }

    /** The client's current ZooKeeper handle, for blocking calls on a caller and for batched reads. */
    ZooKeeper zooKeeper() throws Exception {
        return root.getZookeeperClient().getZooKeeper();
    }

    /** A lock node path or a lock's parent, relative to the namespace, as the ZooKeeper handle sees it. */
    String fullPath(String path) {
        return namespacePrefix + path;
    }

    /** A path the ZooKeeper handle returned, relative to the namespace. */
    String relativePath(String fullPath) {
        return fullPath.substring(namespacePrefix.length());
    }

    /** The error of an operation refused because the engine is closed or abandoned. */
    LockBackendException unusable(String operation, String what) {
        return errors.unusable(abandoned ? "is abandoned" : "is closed", operation + " " + what);
    }

    // ------------------------------------------------------------------------------- background calls

    /** Deletes a node with Curator's guaranteed delete; a missing node is fine. */
    void deleteQuietly(String node) {
        if (abandoned) {
            return;
        }
        try {
            client.delete().guaranteed().inBackground().forPath(node);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not delete " + node + ": " + e);
        }
    }

    /** Deletes a node (guaranteed), then runs {@code then} whatever the outcome. */
    void deleteThen(String node, Runnable then) {
        try {
            client.delete().guaranteed().inBackground((c, event) -> then.run()).forPath(node);
        } catch (Exception e) {
            then.run();
        }
    }

    /** Removes a watch from the client and the server; a watch already spent is fine. */
    void removeWatch(Watcher watcher, String path) {
        if (!usable()) {
            return;
        }
        try {
            client.watchers().remove(watcher).quietly().inBackground().forPath(path);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not remove the watch on " + path + ": " + e);
        }
    }

    // ------------------------------------------------------------------------------- ending

    private void releaseResources() {
        try {
            resources.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not release what the client was set up with: " + e);
        }
    }

    /** Marks the engine closed; false when it was closed already. */
    boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    /** Marks the engine abandoned; false when it was closed or abandoned already. */
    boolean markAbandoned() {
        if (!usable()) {
            return false;
        }
        abandoned = true;
        return true;
    }

    boolean ownsClient() {
        return ownsClient;
    }

    /**
     * Drops the session the way a crash does (an owned client only): the session is neither closed
     * nor used again, so the server keeps its nodes until it expires the session. Blocks until
     * Curator has seen the session go, at most 5 s.
     */
    void dropLikeACrash() {
        CountDownLatch lost = new CountDownLatch(1);
        ConnectionStateListener onLost = (c, state) -> {
            if (state == ConnectionState.LOST) {
                lost.countDown();
            }
        };
        root.getConnectionStateListenable().addListener(onLost);
        try {
            ZooKeeper zk = zooKeeper();
            // Inject from ZooKeeper's own event thread: the handle must be marked closed before
            // Curator handles the injected expiry, or Curator's close of the old handle could still
            // send closeSession, which deletes the nodes at once (a clean exit, not a crash).
            zk.exists("/", false, (rc, path, ctx, stat) -> zk.getTestable().injectSessionExpiration(), null);
            if (!lost.await(5, TimeUnit.SECONDS)) {
                LOG.log(Level.DEBUG, "abandon(): Curator did not report the dropped session within 5s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "abandon() could not drop the ZooKeeper connection: " + e);
        } finally {
            root.getConnectionStateListenable().removeListener(onLost);
        }
    }

    /**
     * Marks the engine closed, stops listening and closes an owned client, bounded: on a connection
     * that is not up, ZooKeeper's close waits for its read timeout.
     */
    void close(ConnectionStateListener listener) {
        closed.set(true);
        root.getConnectionStateListenable().removeListener(listener);
        if (ownsClient) {
            try {
                closeBounded(root, closeBound);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing the Curator client failed: " + e);
            }
            releaseResources();
        }
    }

    /**
     * Closes a Curator client, waiting at most about twice {@code bound}. ZooKeeper's close sends
     * closeSession and waits for its answer, which on a connection that never came up (a server
     * that accepts and never answers) takes until the client's own read timeout, two thirds of the
     * session timeout. Past the bound the closing thread is interrupted, which ends that wait and
     * makes ZooKeeper stop its threads at once (no session was set up, so none is left behind).
     */
    static void closeBounded(CuratorFramework curator, Duration bound) {
        Thread closer = new Thread(
                () -> {
                    try {
                        curator.close();
                    } catch (RuntimeException e) {
                        LOG.log(Level.DEBUG, "closing the Curator client failed: " + e);
                    }
                },
                "globallock-zookeeper-close");
        closer.setDaemon(true);
        closer.start();
        boolean interrupted = false;
        try {
            closer.join(bound.toMillis());
            if (closer.isAlive()) {
                closer.interrupt();
                closer.join(bound.toMillis());
            }
        } catch (InterruptedException e) {
            interrupted = true;
            closer.interrupt();
        }
        if (closer.isAlive()) {
            LOG.log(
                    Level.DEBUG,
                    "closing the Curator client takes longer than " + Durations.format(bound.multipliedBy(2))
                            + "; it goes on in the background");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
