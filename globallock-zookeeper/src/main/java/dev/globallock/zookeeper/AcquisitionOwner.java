/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import org.apache.zookeeper.KeeperException.Code;

/**
 * What an {@link Acquisition} reports to, and asks of, the engine's table of acquisitions ({@link
 * ActiveAcquisitions}): the narrow interface the lock protocol sees instead of the engine.
 */
interface AcquisitionOwner {
    /** The czxid of the lock's last node the engine deleted, for the no-listing shortcut, or null. */
    Long takeReleased(String parent, Acquisition taker);

    /** The lock is the acquisition's: hold it, then complete the future. */
    void granted(Acquisition acquisition, ZooKeeperGrant grant);

    /** A single attempt found the lock held (its node is deleted). */
    void notAcquired(Acquisition acquisition);

    /** The acquisition failed; {@code code} is ZooKeeper's answer when one caused it. */
    void failed(Acquisition acquisition, String why, Code code);

    /** The acquisition was refused (its node is deleted): the caller gets {@code refusal}. */
    void refused(Acquisition acquisition, RuntimeException refusal);

    /** The acquisition was cancelled: nothing to complete. */
    void forget(Acquisition acquisition);

    /** A watched lock node was deleted after its acquisition ended: a holder may have lost it. */
    void nodeDeleted(String node);
}
