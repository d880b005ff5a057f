/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key names this engine writes: {@code <engine id>-<slot>} under a lock's directory, where the
 * slot is the lowest one of that directory not in use (queued, held, or not yet confirmed deleted),
 * so that a busy lock reuses a handful of names (see {@link EtcdKeys}). Thread-safe; never blocks.
 */
final class EtcdKeySlots {
    /** Random per engine: the first half of every key name this engine writes. */
    private final long engineId = new SecureRandom().nextLong();
    /** Per lock directory, the key slots in use (queued, held, or not yet confirmed deleted). */
    private final Map<ByteSequence, Set<Integer>> busySlots = new ConcurrentHashMap<>();

    long engineId() {
        return engineId;
    }

    /** The lowest key slot of the directory not in use; held until {@link #free}. */
    int take(ByteSequence directory) {
        int[] slot = new int[1];
        busySlots.compute(directory, (dir, inUse) -> {
            Set<Integer> slots = inUse == null ? new HashSet<>() : inUse;
            int free = 0;
            while (slots.contains(free)) {
                free++;
            }
            slots.add(free);
            slot[0] = free;
            return slots;
        });
        return slot[0];
    }

    /** Frees a slot once its key is known to be gone from the server. */
    void free(ByteSequence directory, int slot) {
        busySlots.computeIfPresent(directory, (dir, slots) -> {
            slots.remove(slot);
            return slots.isEmpty() ? null : slots;
        });
    }
}
