/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.EngineErrors;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.zookeeper.KeeperException.Code;

/**
 * The engine's acquisitions under way, and where each one's outcome goes: a grant joins the {@link
 * HeldLocks} before its future completes (a grant delivered after its acquisition was cancelled is
 * given back), a failure is said with the engine's texts. Thread-safe.
 */
final class ActiveAcquisitions implements AcquisitionOwner {
    private final Set<Acquisition> active = ConcurrentHashMap.newKeySet();
    private final HeldLocks held;
    private final EngineErrors errors;
    /** Gives back a grant that was delivered after its acquisition was cancelled. */
    private final Consumer<LockGrant> giveBack;

    ActiveAcquisitions(HeldLocks held, EngineErrors errors, Consumer<LockGrant> giveBack) {
        this.held = held;
        this.errors = errors;
        this.giveBack = giveBack;
    }

    void add(Acquisition acquisition) {
        active.add(acquisition);
    }

    boolean isEmpty() {
        return active.isEmpty();
    }

    int size() {
        return active.size();
    }

    /** Ends every acquisition with an error (the engine closes or is abandoned); each deletes its node. */
    void abortAll(String why) {
        for (Acquisition acquisition : List.copyOf(active)) {
            acquisition.abort(why);
        }
    }

    /** The connection is back: each acquisition resumes a check that failed while it was down. */
    void reconnected() {
        for (Acquisition acquisition : List.copyOf(active)) {
            acquisition.reconnected();
        }
    }

    /** The session expired: each acquisition starts over with a new node. */
    void sessionLost() {
        for (Acquisition acquisition : List.copyOf(active)) {
            acquisition.sessionLost();
        }
    }

    /**
     * Null too while another acquisition of this engine is under way on the same lock: its node
     * makes the no-listing shortcut fail, and the pipelined create and listing is then one round
     * trip cheaper than a create followed by a listing.
     */
    @Override
    public Long takeReleased(String parent, Acquisition taker) {
        Long released = held.takeReleased(parent);
        if (released == null) {
            return null;
        }
        for (Acquisition other : active) {
            if (other != taker && other.parent().equals(parent)) {
                return null;
            }
        }
        return released;
    }

    @Override
    public void granted(Acquisition acquisition, ZooKeeperGrant grant) {
        active.remove(acquisition);
        held.add(grant);
        acquisition.future.deliver(grant, giveBack); // cancelled at the same instant: give it back
    }

    @Override
    public void notAcquired(Acquisition acquisition) {
        active.remove(acquisition);
        acquisition.future.deliver(null);
    }

    @Override
    public void failed(Acquisition acquisition, String why, Code code) {
        active.remove(acquisition);
        String detail = code == null
                ? why
                : why + ": " + code
                        + (code == Code.CONNECTIONLOSS || code == Code.SESSIONEXPIRED
                                ? " (no usable connection to the ensemble)"
                                : "");
        acquisition.future.deliverFailure(
                errors.failed("acquire", EngineErrors.lock(acquisition.request.name()), detail, null));
    }

    @Override
    public void refused(Acquisition acquisition, RuntimeException refusal) {
        active.remove(acquisition);
        acquisition.future.deliverFailure(refusal);
    }

    @Override
    public void forget(Acquisition acquisition) {
        active.remove(acquisition);
    }

    @Override
    public void nodeDeleted(String node) {
        held.nodeDeleted(node);
    }
}
