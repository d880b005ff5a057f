/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.AcquireMode;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Per-thread reentrancy: which lease each thread holds under each key, and how many of its handles
 * share that lease. A thread that asks again for a key it holds gets another hold on the same lease,
 * without a round trip; the lease is let go of when the last hold is released, from whichever
 * thread. Leases acquired asynchronously belong to no thread: they have no {@link Holds} and one
 * hold. Thread-safe: the owner thread adds holds, any thread may drop them.
 *
 * <p>Entries are per thread, key and mode: a thread's lock, read lock and write lock of one key are
 * three entries (semaphore permits are not reentrant and have none).
 */
final class Reentrancy {
    /** Each entry is its own key: a thread's holds on one key, equal by thread and key. */
    private final Map<Holds, Holds> table = new ConcurrentHashMap<>();

    /**
     * One thread's holds on one key: the table's key (thread and key) and the number of open
     * handles sharing the lease. Made for each blocking acquisition to look the table up; it
     * becomes the entry when the acquisition is granted.
     */
    static final class Holds {
        private static final AtomicIntegerFieldUpdater<Holds> COUNT =
                AtomicIntegerFieldUpdater.newUpdater(Holds.class, "count");

        private final Thread thread;
        private final String key;
        /** {@link AcquireMode#EXCLUSIVE} for a lock, READ or WRITE for a read-write lock's sides. */
        private final AcquireMode mode;
        /** Set once, before the entry is published in the table. */
        private HeldLock lease;

        private volatile int count;

        Holds(Thread thread, String key, AcquireMode mode) {
            this.thread = thread;
            this.key = key;
            this.mode = mode;
        }

        /** The lease these holds share; set once it was granted. */
        HeldLock lease() {
            return lease;
        }

        /** The number of open handles on the lease; 0 once the last was released. */
        int count() {
            return count;
        }

        /** Adds a hold unless the last one was released already. */
        private boolean tryAdd() {
            while (true) {
                int now = count;
                if (now == 0) {
                    return false;
                }
                if (COUNT.compareAndSet(this, now, now + 1)) {
                    return true;
                }
            }
        }

        /** Drops a hold; true when it was the last. */
        private boolean dropOne() {
            while (true) {
                int now = count;
                if (now == 0) {
                    return false;
                }
                if (COUNT.compareAndSet(this, now, now - 1)) {
                    return now == 1;
                }
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Holds
                    && ((Holds) other).thread == thread
                    && ((Holds) other).mode == mode
                    && ((Holds) other).key.equals(key);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(thread) * 31 + key.hashCode();
        }
    }

    /**
     * Another hold on the lease the thread of {@code probe} holds under its key, if that lease is
     * still live: the entry, its count one higher; else null (a lease gone or released is dropped
     * from the table, and the caller acquires anew).
     */
    Holds reenter(Holds probe) {
        if (probe == null) {
            return null;
        }
        Holds existing = table.get(probe);
        if (existing == null) {
            return null;
        }
        if (existing.lease.state().isLocked() && existing.tryAdd()) {
            return existing;
        }
        table.remove(existing, existing);
        return null;
    }

    /**
     * The live entry of {@code probe}'s thread, key and mode, without adding a hold; null when there
     * is none (or its lease is gone).
     */
    Holds live(Holds probe) {
        Holds existing = table.get(probe);
        return existing != null && existing.count > 0 && existing.lease.state().isLocked() ? existing : null;
    }

    /** The lease acquired with {@code holds} as its key was granted: its first hold, in the table. */
    void granted(Holds holds, HeldLock lease) {
        holds.lease = Objects.requireNonNull(lease, "lease");
        holds.count = 1;
        table.put(holds, holds);
    }

    /**
     * Drops one hold; true when it was the last (the lease is then out of the table, and the caller
     * lets go of it). Null {@code holds} (an asynchronous acquisition) has exactly one hold.
     */
    boolean release(Holds holds) {
        if (holds == null) {
            return true;
        }
        if (!holds.dropOne()) {
            return false;
        }
        table.remove(holds, holds);
        return true;
    }

    /** Forgets the lease's entry, if it is one (the lease was let go of another way). */
    void forget(Holds holds) {
        if (holds != null) {
            table.remove(holds, holds);
        }
    }

    /** Forgets every entry (the manager is closing). */
    void clear() {
        table.clear();
    }
}
