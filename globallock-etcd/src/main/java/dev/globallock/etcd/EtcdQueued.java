/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

/** A queued acquisition's wait, as its acquisition drives it: the lock's {@link EtcdQueueWait}, or {@link EtcdSharedWait}. */
interface EtcdQueued {
    /** Reads the place again. */
    void recheck();

    /** Stops waiting. */
    void stop();
}
