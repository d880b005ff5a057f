/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

/** The acquisition a wait belongs to: what the wait asks of it, and tells it. */
interface EtcdWaitOwner {
    /** Whether the acquisition has finished (granted, failed or cancelled); called under the shared lock. */
    boolean finished();

    /** A read of the place was answered: failures in a row end. Called under the shared lock. */
    void answered();

    /** If the acquisition's result is done already (cancelled), it finishes: true then. */
    boolean finishIfDone();

    /** No key is ahead any more: the lock is the owner's. */
    void grant();

    /** Nothing is in the way any more, as of {@code revision}: the grant's fencing token. */
    void grant(long revision);

    /** The owner's key vanished while it queued: it fails, and is never granted. */
    void keyGone();

    /** A step failed transiently: run it again after a growing delay, or fail after long failures. */
    void retryLater(Runnable step, Throwable failure);
}
