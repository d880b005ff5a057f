/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.LockBackendException;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * What Curator's connection states mean for the engine's locks:
 *
 * <ul>
 *   <li>SUSPENDED (and READ_ONLY): every held lease is reported {@code ownershipUncertain()}.
 *   <li>RECONNECTED (and CONNECTED): each held node is read back; found and owned by the session,
 *       {@code ownershipConfirmed()}; otherwise lost ({@link HeldLockChecks#afterReconnect}).
 *       Orphaned creates are swept again, and acquisitions whose reads failed meanwhile resume.
 *   <li>LOST (session expired, or Curator's simulated expiry after a whole session timeout
 *       suspended): every held lease is reported lost and every waiter starts over with a new node.
 * </ul>
 *
 * Nothing happens once the engine is closed or abandoned. Curator calls the listener on its event
 * thread; lease listeners are called on the callback pool ({@link HeldLocks}).
 */
final class ConnectionStates implements ConnectionStateListener {
    private final Connection connection;
    private final HeldLocks held;
    private final HeldLockChecks checks;
    private final OrphanSweep orphans;
    private final ActiveAcquisitions active;

    /** Curator's last reported connection state, for messages. */
    private volatile ConnectionState last;

    ConnectionStates(
            Connection connection,
            HeldLocks held,
            HeldLockChecks checks,
            OrphanSweep orphans,
            ActiveAcquisitions active) {
        this.connection = connection;
        this.held = held;
        this.checks = checks;
        this.orphans = orphans;
        this.active = active;
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        last = state;
        if (!connection.usable()) {
            return;
        }
        switch (state) {
            case SUSPENDED:
            case READ_ONLY:
                held.allUncertain();
                break;
            case LOST:
                orphans.sessionLost(); // ephemeral: they died with the session
                sessionLost();
                break;
            case RECONNECTED:
            case CONNECTED:
                orphans.reconnected();
                checks.afterReconnect();
                active.reconnected();
                break;
            default:
                break;
        }
    }

    private void sessionLost() {
        for (ZooKeeperGrant grant : held.all()) {
            held.lose(
                    grant,
                    "the ZooKeeper session of "
                            + connection
                                    .errors()
                                    .say("expired (or stayed suspended for a whole session"
                                            + " timeout), so the server releases its locks"));
        }
        active.sessionLost();
    }

    /**
     * Whether the client is disconnected from the ensemble right now (Curator's state, no I/O): a
     * wait that ends then was not ended by a busy lock.
     */
    Optional<LockBackendException> problem() {
        if (!connection.usable() || connection.clientConnected()) {
            return Optional.empty();
        }
        ConnectionState state = last;
        return Optional.of(new LockBackendException("the client is not connected to the ensemble"
                + (state == null ? "" : " (Curator's connection state is " + state + ")")
                + "; it keeps trying to reconnect"));
    }
}
