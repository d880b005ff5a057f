/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The ZooKeeper calls of the lock protocol ({@link Acquisition}), as Curator's {@code
 * LockInternalsDriver} is for its mutex. Background calls go through Curator and answer on
 * ZooKeeper's event thread, to one {@link Answers} method. A waiting caller's blocking calls (inside
 * its future's {@code get}, answered by ZooKeeper's I/O thread waking the caller directly) are the
 * seam: listings and deletes use the raw ZooKeeper handle (no Curator builder, retry loop or path
 * validation per call); creates use it only on a client the engine made, whose ACL it knows ({@link
 * RawHandle}), and Curator's protected create on a client the application gave ({@link
 * CuratorCreates}). Paths are relative to the namespace. Thread-safe.
 */
abstract sealed class LockNodeDriver {
    /** The background calls, as their answers name them. */
    enum Call {
        CREATE,
        PIPELINED_LISTING,
        LISTING,
        STAT,
        OWN_WATCH,
        PREDECESSOR_WATCH,
        /** A listing that also watches the children (a semaphore's waiter). */
        WATCHED_LISTING
    }

    /** Where the answers to background calls go, on ZooKeeper's event thread. */
    interface Answers {
        /** ZooKeeper's answer to a call made for round {@code r} (and predecessor watch {@code s}). */
        void answered(Call call, int r, int s, int resultCode, String path, Stat stat, List<String> children);

        /** An event of a watch on a lock node: its own ({@code own}), or its predecessor's. */
        void watched(boolean own, int r, int s, WatchedEvent event);

        /** A call could not even be sent. */
        void notSent(Exception failure);
    }

    final Connection connection;

    private LockNodeDriver(Connection connection) {
        this.connection = connection;
    }

    /** The driver for the connection: the raw handle when the engine knows the ACL of its nodes. */
    static LockNodeDriver of(Connection connection, OrphanSweep orphans) {
        List<ACL> acl = connection.nodeAcl();
        return acl != null ? new RawHandle(connection, acl, orphans) : new CuratorCreates(connection);
    }

    // ------------------------------------------------------------------------------- background calls

    /**
     * Creates a protected ephemeral-sequential lock node; missing parents are made as containers.
     * Like every background call: false, and {@link Answers#notSent}, when it could not be sent.
     */
    final boolean create(LockPaths.Lock lock, int r, Answers answers) {
        try {
            client().create()
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .inBackground((c, event) -> answer(answers, Call.CREATE, r, -1, event))
                    .forPath(lock.nodePrefix(), LockPaths.NO_DATA);
            return true;
        } catch (Exception e) {
            answers.notSent(e);
            return false;
        }
    }

    /** Lists a lock's parent: pipelined behind a create ({@link Call#PIPELINED_LISTING}) or again. */
    final boolean list(String parent, Call call, int r, Answers answers) {
        try {
            client().getChildren()
                    .inBackground((c, event) -> answer(answers, call, r, -1, event))
                    .forPath(parent);
            return true;
        } catch (Exception e) {
            answers.notSent(e);
            return false;
        }
    }

    /** Lists a parent's children and watches them (a semaphore's waiter): the answer is {@link Call#WATCHED_LISTING}. */
    final boolean listWatching(String parent, Watcher watcher, int r, int s, Answers answers) {
        try {
            client().getChildren()
                    .usingWatcher(watcher)
                    .inBackground((c, event) -> answer(answers, Call.WATCHED_LISTING, r, s, event))
                    .forPath(parent);
            return true;
        } catch (Exception e) {
            answers.notSent(e);
            return false;
        }
    }

    /** Reads a lock node's stat. */
    final boolean readStat(String node, int r, Answers answers) {
        try {
            client().checkExists()
                    .inBackground((c, event) -> answer(answers, Call.STAT, r, -1, event))
                    .forPath(node);
            return true;
        } catch (Exception e) {
            answers.notSent(e);
            return false;
        }
    }

    /** A watch for a lock node, its own ({@code own}) or its predecessor's, to set with {@link #watch}. */
    final Watcher watcher(boolean own, int r, int s, Answers answers) {
        return event -> answers.watched(own, r, s, event);
    }

    /** Sets a watch on a lock node (a read of its data): the answer comes as {@code call}. */
    final boolean watch(String node, Watcher watcher, Call call, int r, int s, Answers answers) {
        try {
            client().getData()
                    .usingWatcher(watcher)
                    .inBackground((c, event) -> answer(answers, call, r, s, event))
                    .forPath(node);
            return true;
        } catch (Exception e) {
            answers.notSent(e);
            return false;
        }
    }

    private static void answer(Answers answers, Call call, int r, int s, CuratorEvent e) {
        answers.answered(call, r, s, e.getResultCode(), e.getName(), e.getStat(), e.getChildren());
    }

    private CuratorFramework client() {
        return connection.client();
    }

    // ------------------------------------------------------------------------------- a waiting caller's calls

    /** Whether the client is usable and connected now: only then is a blocking call worth it. */
    final boolean connected() {
        return connection.connected();
    }

    /** The children of a lock's parent. */
    final List<String> children(String parent) throws Exception {
        return connection.zooKeeper().getChildren(connection.fullPath(parent), false);
    }

    /** Deletes a lock node, whatever its version. */
    final void delete(String node) throws Exception {
        connection.zooKeeper().delete(connection.fullPath(node), -1);
    }

    /**
     * Creates a protected ephemeral-sequential lock node of the lock, storing its {@link Stat} in
     * {@code stat}: the node's path, or null when the create got no definite answer (interrupted at
     * the caller's deadline, connection lost) or the session ended; then a new node is needed, and
     * one the create may have made is swept. Any other failure is thrown.
     */
    abstract String create(LockPaths.Lock lock, Stat stat) throws Exception;

    /** Curator's protected create, which makes missing parents (as containers). */
    final String curatorCreate(LockPaths.Lock lock, Stat stat) throws Exception {
        try {
            return client().create()
                    .storingStatIn(stat)
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(lock.nodePrefix(), LockPaths.NO_DATA);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
            return null;
        }
    }

    /** Creates with the raw handle; when the parent is gone, with Curator's create, which makes it. */
    static final class RawHandle extends LockNodeDriver {
        private final List<ACL> acl;
        private final OrphanSweep orphans;
        /** Protected ids of this engine's creates: a random half fixed per engine, a counter. */
        private final long protectionHigh = new SecureRandom().nextLong();

        private final AtomicLong protectionCounter = new AtomicLong(new SecureRandom().nextLong());

        RawHandle(Connection connection, List<ACL> acl, OrphanSweep orphans) {
            super(connection);
            this.acl = acl;
            this.orphans = orphans;
        }

        /**
         * A blocking create on the raw handle, with the name Curator's protected create would give
         * it ({@code <parent>/_c_<id>-lock-}, the id unique to this create).
         */
        @Override
        String create(LockPaths.Lock lock, Stat stat) throws Exception {
            String protectedPrefix = lock.parent() + "/_c_"
                    + new UUID(protectionHigh, protectionCounter.incrementAndGet()) + "-" + lock.name();
            try {
                String created = connection
                        .zooKeeper()
                        .create(
                                connection.fullPath(protectedPrefix),
                                LockPaths.NO_DATA,
                                acl,
                                CreateMode.EPHEMERAL_SEQUENTIAL,
                                stat);
                return connection.relativePath(created);
            } catch (KeeperException.NoNodeException e) {
                return curatorCreate(lock, stat); // the parent is gone: Curator's create makes it
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
                }
                if (outcomeUnknown(e)) {
                    orphans.sweepLater(lock.parent(), protectedPrefix); // its node may exist: find and delete it
                    return null;
                }
                if (e instanceof KeeperException keeper && keeper.code() == Code.SESSIONEXPIRED) {
                    return null; // no node outlives the session
                }
                throw e;
            }
        }

        /** Whether a failed create may have created its node all the same. */
        private static boolean outcomeUnknown(Exception failure) {
            if (failure instanceof InterruptedException) {
                return true;
            }
            if (failure instanceof KeeperException keeper) {
                Code code = keeper.code();
                return code == Code.CONNECTIONLOSS
                        || code == Code.OPERATIONTIMEOUT
                        || code == Code.SESSIONMOVED
                        || code == Code.REQUESTTIMEOUT;
            }
            return false;
        }
    }

    /** Creates with Curator, which applies the application's ACL provider. */
    static final class CuratorCreates extends LockNodeDriver {
        CuratorCreates(Connection connection) {
            super(connection);
        }

        @Override
        String create(LockPaths.Lock lock, Stat stat) throws Exception {
            return curatorCreate(lock, stat);
        }
    }
}
