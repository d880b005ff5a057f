/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys ahead of a waiter's own key as of a revision, and what the deletions after that revision
 * make of them. The directory watch delivers every deletion of the directory in revision order, so
 * once no key ahead is left and the waiter's own key was not deleted before that, its key was the
 * oldest at that revision: the lock is the waiter's; and a waiter whose key went with its lease is
 * never granted. Not thread-safe: its waiter guards it.
 */
final class EtcdKeysAhead {
    private final ByteSequence ownKey;
    private final Set<ByteSequence> ahead;
    private final long revision;
    /** The waiter may go once fewer keys than this are ahead: 1 for a lock, N for a permit. */
    private final int grantBelow;

    private boolean ownKeyDeleted;

    EtcdKeysAhead(ByteSequence ownKey, Set<ByteSequence> keysAhead, long revision) {
        this(ownKey, keysAhead, revision, 1);
    }

    EtcdKeysAhead(ByteSequence ownKey, Set<ByteSequence> keysAhead, long revision, int grantBelow) {
        this.ownKey = ownKey;
        this.ahead = new HashSet<>(keysAhead);
        this.revision = revision;
        this.grantBelow = grantBelow;
    }

    /** Deletions seen by the directory watch, in revision order. */
    void deleted(List<KeyValue> deletions) {
        for (KeyValue gone : deletions) {
            if (gone.getModRevision() <= revision) {
                continue; // the listing already saw it
            }
            if (gone.getKey().equals(ownKey)) {
                ownKeyDeleted = true;
            } else {
                ahead.remove(gone.getKey());
            }
        }
    }

    /** The lock is the waiter's (no key ahead left), its key is gone, or it waits on. */
    EtcdDirectoryWatch.Verdict verdict() {
        if (ownKeyDeleted) {
            return EtcdDirectoryWatch.Verdict.GONE;
        }
        return ahead.size() < grantBelow ? EtcdDirectoryWatch.Verdict.GRANT : EtcdDirectoryWatch.Verdict.WAIT;
    }
}
