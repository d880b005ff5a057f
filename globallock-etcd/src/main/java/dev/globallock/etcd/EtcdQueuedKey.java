/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queued acquisition's key, as its wait ({@link EtcdDirectoryFollower}) sees it: whom it tells,
 * the lock it shares, where the key stands and on which lease, and the engine's parts it reads and
 * watches through. Immutable.
 *
 * @param owner the acquisition the wait reports to
 * @param mutex the acquisition's lock, which guards the wait's state too
 * @param ownRevision the create revision of the key
 */
record EtcdQueuedKey(
        EtcdWaitOwner owner,
        ReentrantLock mutex,
        EtcdCalls calls,
        EtcdDirectoryWatches watches,
        ByteSequence directory,
        ByteSequence ownKey,
        long ownRevision,
        EtcdLease lease) {}
