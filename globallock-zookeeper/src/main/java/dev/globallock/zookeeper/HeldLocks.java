/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.LockLostException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The locks the engine holds, by lock node, and what their leases are told (uncertain, confirmed,
 * lost: on the callback pool, one call at a time and in the order the engine learnt things); and,
 * per lock, the czxid of the last node of it the engine deleted, for the next acquisition's
 * no-listing shortcut ({@link Acquisition}). Thread-safe.
 */
final class HeldLocks {
    private static final int MAX_REMEMBERED_RELEASES = 1024;

    private final ConcurrentHashMap<String, ZooKeeperGrant> held = new ConcurrentHashMap<>();
    /** Parent path → czxid of the last node of that lock this engine deleted. */
    private final ConcurrentHashMap<String, Long> lastReleased = new ConcurrentHashMap<>();
    /** Lease listener calls, in the order the engine learnt things. */
    private final Executor listenerCalls = Callbacks.serial();

    void add(ZooKeeperGrant grant) {
        held.put(grant.node, grant);
    }

    /** Forgets a grant that was released or found gone; false when it was not held. */
    boolean remove(ZooKeeperGrant grant) {
        return held.remove(grant.node, grant);
    }

    List<ZooKeeperGrant> all() {
        return List.copyOf(held.values());
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    int size() {
        return held.size();
    }

    void clear() {
        held.clear();
    }

    /** The connection is suspended: every held lease is uncertain. */
    void allUncertain() {
        for (ZooKeeperGrant grant : held.values()) {
            notify(grant.request.listener()::ownershipUncertain);
        }
    }

    /** The grant's node was read back, owned by its session. */
    void confirmed(ZooKeeperGrant grant) {
        if (!grant.isOver()) {
            notify(grant.request.listener()::ownershipConfirmed);
        }
    }

    /** The lock is no longer held: its lease is told, once. */
    void lose(ZooKeeperGrant grant, String why) {
        held.remove(grant.node, grant);
        if (grant.finish()) {
            String name = grant.request.name();
            LockLostException cause = new LockLostException(name, "lock '" + name + "' was lost: " + why);
            notify(() -> grant.request.listener().leaseLost(cause));
        }
    }

    /** A lock node was deleted (seen by the watch on it): if a lease still held it, that lease is lost. */
    void nodeDeleted(String node) {
        ZooKeeperGrant grant = held.get(node);
        if (grant != null) {
            lose(grant, "its node " + node + " was deleted by someone else");
        }
    }

    /**
     * This engine deleted a node that held the lock: remember its czxid under the parent. Bounded:
     * a lock released while the table is full simply lists on its next acquisition.
     */
    void released(ZooKeeperGrant grant) {
        if (lastReleased.size() < MAX_REMEMBERED_RELEASES) {
            lastReleased.put(grant.parent, grant.czxid);
        }
    }

    /** The czxid of the last node of the lock this engine deleted, or null; at most one taker. */
    Long takeReleased(String parent) {
        return lastReleased.isEmpty() ? null : lastReleased.remove(parent);
    }

    private void notify(Runnable listenerCall) {
        listenerCalls.execute(listenerCall);
    }
}
