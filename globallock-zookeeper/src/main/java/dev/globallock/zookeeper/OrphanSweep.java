/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Lock nodes whose create got no answer (interrupted at the caller's deadline, connection lost): the
 * server may have made them for the live session, where they would block the lock as long as it
 * lives. Each was created with a protected name ({@code _c_<uuid>-lock-}) unique to its create, so
 * listing the parent finds it; it is then deleted. A listing that fails is tried again after a
 * reconnect; the orphans are forgotten when the session ends, which deletes them anyway.
 * Thread-safe.
 */
final class OrphanSweep {
    private static final System.Logger LOG = System.getLogger(OrphanSweep.class.getName());

    /** A create whose answer never came: its parent and the name its node starts with. */
    private record Orphan(String parent, String name) {}

    private final Connection connection;
    private final Set<Orphan> orphans = ConcurrentHashMap.newKeySet();

    OrphanSweep(Connection connection) {
        this.connection = connection;
    }

    /** A create under {@code parent} at {@code protectedPrefix} may have made a node: find and delete it. */
    void sweepLater(String parent, String protectedPrefix) {
        Orphan orphan = new Orphan(parent, LockPaths.nameOf(protectedPrefix));
        orphans.add(orphan);
        sweep(orphan);
    }

    /** The connection is back: look again for what could not be listed. */
    void reconnected() {
        for (Orphan orphan : List.copyOf(orphans)) {
            sweep(orphan);
        }
    }

    /** The session ended: its ephemeral nodes died with it. */
    void sessionLost() {
        orphans.clear();
    }

    private void sweep(Orphan orphan) {
        if (!connection.usable()) {
            return;
        }
        try {
            // after the create on the same session, so the listing shows its node if it was made
            connection
                    .client()
                    .getChildren()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.NONODE) {
                            orphans.remove(orphan); // no parent, no node
                        } else if (code == Code.OK) {
                            for (String child : event.getChildren()) {
                                if (child.startsWith(orphan.name)) {
                                    connection.deleteQuietly(orphan.parent + "/" + child);
                                }
                            }
                            orphans.remove(orphan);
                        } // else: swept again when the connection is back
                    })
                    .forPath(orphan.parent);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not list " + orphan.parent + " for an unanswered create: " + e);
        }
    }
}
