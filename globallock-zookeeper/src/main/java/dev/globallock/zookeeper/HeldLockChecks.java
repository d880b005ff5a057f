/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.LockBackendException;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.ZooKeeper;

/**
 * Reads held lock nodes back ({@link LockNodeReader}: one {@code multiRead} per thousand, a read on
 * the server, no write): for the watchdog's renewal, which is how a node deleted behind the holder's
 * back is noticed, and after a reconnection, which confirms or loses each held lease. A grant of
 * another session than the current one is lost without a read. Thread-safe.
 */
final class HeldLockChecks {
    private static final System.Logger LOG = System.getLogger(HeldLockChecks.class.getName());

    private final Connection connection;
    private final HeldLocks held;
    private final SessionConfirmations sessions;
    private final LockNodeReader reader;

    HeldLockChecks(Connection connection, HeldLocks held, SessionConfirmations sessions) {
        this.connection = connection;
        this.held = held;
        this.sessions = sessions;
        this.reader =
                new LockNodeReader(connection.endpoint(), connection.client().getNamespace());
    }

    /** The watchdog's renewal: completes with the grants that are no longer held. */
    CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        if (!connection.usable()) {
            return CompletableFuture.failedFuture(connection.unusable("renew", grants.size() + " lock(s)"));
        }
        if (!connection.clientConnected()) {
            return CompletableFuture.failedFuture(new LockBackendException(connection
                    .errors()
                    .say("is disconnected and cannot confirm " + grants.size() + " lock(s) right now")));
        }
        ZooKeeper zk;
        try {
            zk = connection.zooKeeper();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(
                    new LockBackendException(connection.errors().say("cannot renew: " + e), e));
        }
        long session = zk.getSessionId();
        Set<LockGrant> lost = ConcurrentHashMap.newKeySet();
        List<ZooKeeperGrant> toCheck = new ArrayList<>(grants.size());
        for (LockGrant grant : grants) {
            ZooKeeperGrant mine = (ZooKeeperGrant) grant;
            if (mine.isOver() || mine.sessionId != session) {
                lost.add(mine);
            } else {
                toCheck.add(mine);
            }
        }
        CallerRunsFuture<Set<LockGrant>> result = new CallerRunsFuture<>(Callbacks.CALLER_RUNS);
        long sentAt = sessions.now();
        reader.missing(zk, toCheck).whenComplete((missing, failure) -> {
            if (failure != null) {
                result.deliverFailure(failure);
                return;
            }
            if (!toCheck.isEmpty()) {
                sessions.confirmed(session, sentAt); // the server answered a read on the session
            }
            for (ZooKeeperGrant gone : missing) {
                held.remove(gone);
                gone.finish();
                lost.add(gone);
            }
            result.deliver(lost);
        });
        return result;
    }

    /**
     * The connection is back: each held node is read back; found and owned by the session, its
     * lease is confirmed; otherwise lost. A read that fails leaves them uncertain: the next state
     * change decides.
     */
    void afterReconnect() {
        List<ZooKeeperGrant> grants = held.all();
        if (grants.isEmpty()) {
            return;
        }
        ZooKeeper zk;
        try {
            zk = connection.zooKeeper();
        } catch (Exception e) {
            return; // still uncertain; the next state change decides
        }
        long session = zk.getSessionId();
        List<ZooKeeperGrant> sameSession = new ArrayList<>();
        for (ZooKeeperGrant grant : grants) {
            if (grant.sessionId != session) {
                held.lose(grant, "the ZooKeeper session that held lock '" + grant.request.name() + "' is gone");
            } else {
                sameSession.add(grant);
            }
        }
        reader.missing(zk, sameSession).whenComplete((missing, failure) -> {
            if (failure != null) {
                LOG.log(Level.DEBUG, () -> "could not confirm held locks after reconnecting: " + failure);
                return;
            }
            for (ZooKeeperGrant grant : sameSession) {
                if (missing.contains(grant)) {
                    held.lose(grant, "lock node " + grant.node + " was gone when the connection came back");
                } else {
                    held.confirmed(grant);
                }
            }
        });
    }
}
