/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * What ZooKeeper's client said about SASL while the engine opens: Curator reports a connection as
 * soon as the session is set up, before the SASL exchange, and keeps ZooKeeper's {@code
 * SaslAuthenticated} and {@code AuthFailed} to itself; the engine's {@link ZookeeperFactory} sees
 * them first. Thread-safe.
 */
final class AuthOutcome {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private KeeperState state;

    /** Makes Curator's ZooKeeper handles with these settings, telling this outcome their auth events. */
    ZookeeperFactory factory(ZKClientConfig settings) {
        return new ZookeeperFactory() {
            @Override
            public org.apache.zookeeper.ZooKeeper newZooKeeper(
                    String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly) throws Exception {
                return new ZooKeeperAdmin(connectString, sessionTimeout, seen(watcher), canBeReadOnly, settings);
            }

            @Override
            public org.apache.zookeeper.ZooKeeper newZooKeeper(
                    String connectString,
                    int sessionTimeout,
                    Watcher watcher,
                    boolean canBeReadOnly,
                    ZKClientConfig ignored)
                    throws Exception {
                return newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly);
            }
        };
    }

    private Watcher seen(Watcher watcher) {
        return event -> {
            record(event);
            watcher.process(event);
        };
    }

    private void record(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.None) {
            return;
        }
        KeeperState now = event.getState();
        if (now == KeeperState.SaslAuthenticated || now == KeeperState.AuthFailed) {
            lock.lock();
            try {
                state = now;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits until the deadline ({@link System#nanoTime()}) for the SASL exchange: null when it
     * succeeded or did not end in time (the connection's own timeout then speaks), else why it failed.
     */
    String awaitSasl(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (state == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(left);
            }
            return state == KeeperState.AuthFailed ? "the server refused the SASL DIGEST-MD5 login" : null;
        } finally {
            lock.unlock();
        }
    }
}
