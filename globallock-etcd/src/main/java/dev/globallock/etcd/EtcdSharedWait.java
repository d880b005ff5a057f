/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.AcquireMode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import java.util.Set;

/**
 * A queued permit, read or write ({@link EtcdSharedKeys}): it follows the deletions of its
 * directory through the engine's shared {@link EtcdDirectoryWatch} (one watch per directory and
 * engine, whatever the number of waiters: no herd on the server), knowing the keys in its way as
 * of a revision. When few enough of them are left it reads the directory once more and is granted
 * if that read agrees, with that read's revision as its fencing token (greater than the token of
 * every grant that ended before, which its own create revision need not be: a reader that queued
 * behind a writer was created before the writer was granted). That read also sees a reader that
 * downgraded an older write meanwhile, which a writer must wait for too.
 *
 * <p>The following of the directory is {@link EtcdDirectoryFollower}'s. It shares its acquisition's
 * lock (the {@link EtcdWaitOwner}'s). Nothing here blocks.
 */
final class EtcdSharedWait extends EtcdDirectoryFollower {
    private final AcquireMode mode;

    EtcdSharedWait(EtcdQueuedKey queued, AcquireMode mode, int permits, long newestRead) {
        super(queued, EtcdSharedKeys.grantBelow(mode, permits), newestRead);
        this.mode = mode;
    }

    /** Starts following the deletions of the keys in the way as of {@code revision}. */
    void start(Set<ByteSequence> inTheWay, long revision) {
        followDirectory(inTheWay, revision);
    }

    /** Under the lock: what it knew of the keys in the way is stale once it joins or leaves a watch. */
    @Override
    Watch.Watcher leaving() {
        forgetAhead();
        return null;
    }

    /** Under the lock: a grant is confirmed by a read (once: further deletions wait for it). */
    @Override
    EtcdDirectoryWatch.Verdict counted(EtcdDirectoryWatch.Verdict verdict) {
        if (verdict == EtcdDirectoryWatch.Verdict.GRANT) {
            forgetAhead();
            return EtcdDirectoryWatch.Verdict.READ;
        }
        return verdict;
    }

    @Override
    void noneAhead() {
        recheck();
    }

    /** The whole directory with the kinds. */
    @Override
    GetOption listing() {
        return EtcdSharedKeys.WHOLE_DIRECTORY;
    }

    @Override
    void placed(long revision, List<KeyValue> all) {
        Set<ByteSequence> inTheWay = EtcdSharedKeys.inTheWay(mode, ownRevision, ownKey, all);
        if (inTheWay.size() < grantBelow) {
            owner.grant(revision);
        } else {
            followDirectory(inTheWay, revision);
        }
    }

    @Override
    public String toString() {
        return "EtcdSharedWait{" + EtcdKeys.text(ownKey) + ", " + mode + "}";
    }
}
