/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.LockBackendException;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.EngineErrors;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Gives a lock back by deleting its node, which is unique to the acquisition, so the delete can
 * never remove another holder's lock. For a caller that waits for it, the delete is a blocking call
 * on the caller's thread inside its {@code get} ({@link LockNodeDriver}); when that fails
 * (connection loss, the deadline of {@code get(timeout)}...), and when nobody waits, Curator's
 * guaranteed background delete does it, retried until it succeeds or the session ends. A
 * successful delete is remembered ({@link HeldLocks#released}). Thread-safe.
 */
final class LockRelease {
    private final Connection connection;
    private final LockNodeDriver driver;
    private final HeldLocks held;

    LockRelease(Connection connection, LockNodeDriver driver, HeldLocks held) {
        this.connection = connection;
        this.driver = driver;
        this.held = held;
    }

    CompletableFuture<Void> release(ZooKeeperGrant grant) {
        if (grant.request.mode() != AcquireMode.EXCLUSIVE) {
            return releaseShared(grant);
        }
        return releaseNode(grant, true);
    }

    /**
     * A read, write or permit: a write whose downgraded read still holds keeps its node (deleted
     * with the read's), a read that downgraded a released write deletes that write's node too.
     */
    private CompletableFuture<Void> releaseShared(ZooKeeperGrant grant) {
        if (grant.request.mode() == AcquireMode.WRITE && grant.keepsNodeOnRelease()) {
            held.remove(grant);
            grant.finish();
            return CompletableFuture.completedFuture(null);
        }
        String write = grant.request.mode() == AcquireMode.READ ? grant.pinnedWriteNode() : null;
        if (write != null && connection.usable()) {
            connection.deleteQuietly(write); // the read is over: a queued writer may go once both are gone
        }
        // not remembered: the no-listing shortcut is only sound after the release of a node that was
        // first in line, and a reader's or a permit's node need not have been
        return releaseNode(grant, false);
    }

    /** Deletes the grant's node; {@code remember}: note its czxid for the no-listing shortcut. */
    private CompletableFuture<Void> releaseNode(ZooKeeperGrant grant, boolean remember) {
        held.remove(grant);
        grant.finish();
        if (!connection.usable()) {
            return CompletableFuture.failedFuture(
                    connection.unusable("release", "lock '" + grant.request.name() + "'"));
        }
        CallerRunsFuture<Void> released = new CallerRunsFuture<>(Callbacks.CALLER_RUNS);
        return released.defer(onCaller -> {
            if (onCaller && driver.connected() && deleteOnCaller(grant, remember)) {
                released.complete(null);
            } else {
                deleteInBackground(grant, remember, released);
            }
        });
    }

    /** A blocking delete of a released node; false when it is not known to be gone. */
    private boolean deleteOnCaller(ZooKeeperGrant grant, boolean remember) {
        try {
            driver.delete(grant.node);
            if (remember) {
                held.released(grant);
            }
            return true;
        } catch (KeeperException.NoNodeException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private void deleteInBackground(ZooKeeperGrant grant, boolean remember, CallerRunsFuture<Void> released) {
        try {
            connection
                    .client()
                    .delete()
                    .guaranteed()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.OK && remember) {
                            held.released(grant);
                        }
                        if (code == Code.OK || code == Code.NONODE) {
                            released.deliver(null);
                        } else {
                            released.deliverFailure(failure(
                                    grant,
                                    code + "; the delete of " + grant.node
                                            + " is retried in the background until it succeeds or the session"
                                            + " ends",
                                    null));
                        }
                    })
                    .forPath(grant.node);
        } catch (Exception e) {
            released.deliverFailure(failure(grant, e.toString(), e));
        }
    }

    private LockBackendException failure(ZooKeeperGrant grant, String why, Throwable cause) {
        return connection.errors().failed("release", EngineErrors.lock(grant.request.name()), why, cause);
    }
}
