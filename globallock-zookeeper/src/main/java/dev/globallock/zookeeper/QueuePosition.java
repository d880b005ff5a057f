/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import java.util.List;

/**
 * Where an acquisition's node stands among its parent's children, as Curator's {@code
 * StandardLockInternalsDriver.getsTheLock} decides for its mutex: whether it holds the lock, or what
 * it waits behind. A mutex's node or a writer's holds when it is the first (and waits behind its
 * immediate predecessor); a reader's when no writer's node is before it (and waits behind the last
 * such writer), or at once when it downgrades its owner's write grant, whose node is still listed;
 * a permit's when fewer than {@code permits} nodes are before it (and waits on the parent's
 * children, since any earlier node's deletion may let it in), unless an earlier node asks for other
 * permits. Immutable; computed without I/O.
 *
 * @param holds the lock (a read, a write, a permit) is the node's
 * @param behind the predecessor to wait behind; null when it holds, disagrees, or waits on the
 *     parent's children (a permit)
 * @param nextInLine {@code behind} holds the lock itself (its deletion hands the lock over)
 * @param theirPermits the permits an earlier node asks for when they disagree with the request's;
 *     0 when they agree
 */
record QueuePosition(boolean holds, String behind, boolean nextInLine, int theirPermits) {
    private static final QueuePosition HOLDS = new QueuePosition(true, null, false, 0);

    /** The permits of an earlier node disagree with the request's: a semaphore's misuse. */
    boolean disagrees() {
        return theirPermits != 0;
    }

    /**
     * The position of {@code mine}, a name in {@code children} (the listing of the lock's node
     * {@code parent}), for {@code request}.
     */
    static QueuePosition of(AcquireRequest request, String parent, List<String> children, String mine) {
        AcquireMode mode = request.mode();
        if (mode == AcquireMode.EXCLUSIVE || mode == AcquireMode.WRITE) {
            List<String> ordered = mode == AcquireMode.EXCLUSIVE
                    ? LockPaths.inSequence(children)
                    : LockPaths.sharedInSequence(children, true);
            int index = ordered.indexOf(mine);
            return index == 0 ? HOLDS : new QueuePosition(false, ordered.get(index - 1), index == 1, 0);
        }
        List<String> ordered = LockPaths.sharedInSequence(children, mode != AcquireMode.PERMIT);
        int index = ordered.indexOf(mine);
        if (mode == AcquireMode.READ) {
            String behind = null;
            for (int i = index - 1; i >= 0 && behind == null; i--) {
                if (LockPaths.isWriter(ordered.get(i))) {
                    behind = ordered.get(i);
                }
            }
            boolean granted = behind == null || downgrades(request, parent, children) != null;
            return granted ? HOLDS : new QueuePosition(false, behind, false, 0);
        }
        for (int i = 0; i < index; i++) {
            int theirs = LockPaths.permitsOf(ordered.get(i));
            if (theirs != request.permits()) {
                return new QueuePosition(false, null, false, theirs);
            }
        }
        return index < request.permits() ? HOLDS : new QueuePosition(false, null, false, 0);
    }

    /** The node of the write grant a read downgrades, when that grant holds and its node is listed. */
    private static String downgrades(AcquireRequest request, String parent, List<String> children) {
        if (request.downgrading().orElse(null) instanceof ZooKeeperGrant write
                && !write.isOver()
                && write.parent.equals(parent)
                && children.contains(LockPaths.nameOf(write.node))) {
            return write.node;
        }
        return null;
    }
}
