/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.LockInfo;
import dev.globallock.LockLostException;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The semaphores and read-write locks of one in-JVM namespace (the reference for every engine):
 * per key and family, the holders with their own leases, and one FIFO queue of waiters. A waiter is
 * granted when it is first in the queue and fits: a permit while fewer than N hold one, a reader
 * while no writer holds, a writer while nobody holds. So a waiting writer blocks the readers that
 * come after it, and readers cannot starve it. A reader downgrading its owner's write grant is
 * granted at once. Thread-safe; futures are completed outside the mutex.
 */
final class MemorySharedTable {
    private static final Map<String, MemorySharedTable> TABLES = new ConcurrentHashMap<>();

    private final ReentrantLock mutex = new ReentrantLock();
    /** By family and key: "s:" + key for semaphores, "rw:" + key for read-write locks. */
    private final Map<String, Entry> entries = new HashMap<>();

    private final Ticker ticker = Ticker.system();
    /** One counter for every key: tokens then increase per key as well. */
    private long lastToken;

    static MemorySharedTable named(String namespace) {
        return TABLES.computeIfAbsent(namespace, n -> new MemorySharedTable());
    }

    /** The holders of one semaphore or read-write lock, and who waits for it. */
    private static final class Entry {
        final String id;
        /** The semaphore's permits, as its holders and waiters asked (0 for a read-write lock). */
        final int permits;
        /** Each holder's grant and when its lease ends, on the table's clock. */
        final Map<Grant, Long> holders = new LinkedHashMap<>();

        Grant writer;
        final ArrayDeque<MemoryWaiter> waiters = new ArrayDeque<>();

        Entry(String id, int permits) {
            this.id = id;
            this.permits = permits;
        }
    }

    /** A permit, a read or a write grant in this table. */
    static final class Grant extends MemoryGrant {
        Grant(String id, long token, AcquireRequest request, long grantedAtNanos) {
            super(id, token, request, grantedAtNanos);
        }

        @Override
        public String toString() {
            return "MemoryGrant{" + id + ", " + request.mode() + ", token=" + token + "}";
        }
    }

    static String id(AcquireMode mode, String key) {
        return (mode == AcquireMode.PERMIT ? "s:" : "rw:") + key;
    }

    CompletableFuture<LockGrant> acquire(AcquireRequest request, Ticker managerTicker, String endpoint) {
        List<Runnable> after = new ArrayList<>();
        CompletableFuture<LockGrant> future = new CompletableFuture<>();
        String id = id(request.mode(), request.key());
        mutex.lock();
        try {
            int permits = request.mode() == AcquireMode.PERMIT ? request.permits() : 0;
            Entry entry = entries.computeIfAbsent(id, k -> new Entry(k, permits));
            expireDue(entry, after);
            if (entry.permits != permits) {
                future.completeExceptionally(new IllegalArgumentException("permits of semaphore '" + request.name()
                        + "' was '" + permits + "' but engine 'memory' at " + endpoint + " holds it with "
                        + entry.permits + " permits (" + entry.holders.size() + " taken, " + entry.waiters.size()
                        + " waiting): every user of a semaphore must give the same permits"));
            } else if (downgrades(entry, request) || entry.waiters.isEmpty() && fits(entry, request)) {
                future.complete(grant(entry, request, managerTicker));
            } else if (request.singleAttempt()) {
                future.complete(null);
                removeIfIdle(entry);
            } else {
                MemoryWaiter waiter = new MemoryWaiter(request, managerTicker, future);
                entry.waiters.addLast(waiter);
                future.whenComplete((g, e) -> {
                    if (future.isCancelled()) {
                        abandon(id, waiter);
                    }
                });
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
        return future;
    }

    void release(Grant grant) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(grant.id);
            if (entry != null && entry.holders.remove(grant) != null) {
                if (entry.writer == grant) {
                    entry.writer = null;
                }
                handOff(entry, after);
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
    }

    /** Extends the grant's lease; false when it no longer holds. */
    boolean renew(Grant grant) {
        List<Runnable> after = new ArrayList<>();
        boolean held;
        mutex.lock();
        try {
            Entry entry = entries.get(grant.id);
            if (entry != null) {
                expireDue(entry, after);
            }
            held = entry != null && entry.holders.containsKey(grant);
            if (held) {
                entry.holders.put(grant, ticker.read() + grant.leaseNanos);
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
        return held;
    }

    /** The holders right now: their number, the latest token and the longest remaining lease. */
    LockInfo inspect(String name, AcquireMode mode, String key) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(id(mode, key));
            if (entry != null) {
                expireDue(entry, after);
            }
            if (entry == null || entry.holders.isEmpty()) {
                return LockInfo.free(name);
            }
            long token = 0;
            long longest = 0;
            for (Map.Entry<Grant, Long> holder : entry.holders.entrySet()) {
                token = Math.max(token, holder.getKey().token);
                longest = Math.max(longest, holder.getValue() - ticker.read());
            }
            return LockInfo.heldBy(
                    name, entry.holders.size(), OptionalLong.of(token), Optional.of(Duration.ofNanos(longest)));
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    private void abandon(String id, MemoryWaiter waiter) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(id);
            if (entry != null && entry.waiters.remove(waiter)) {
                handOff(entry, after); // a writer that gave up no longer holds back the readers behind it
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
    }

    /** Called with the mutex held. */
    private static boolean fits(Entry entry, AcquireRequest request) {
        switch (request.mode()) {
            case PERMIT:
                return entry.holders.size() < entry.permits;
            case READ:
                return entry.writer == null;
            default:
                return entry.holders.isEmpty();
        }
    }

    private static boolean downgrades(Entry entry, AcquireRequest request) {
        return entry.writer != null
                && request.downgrading().isPresent()
                && request.downgrading().get() == entry.writer;
    }

    /** Called with the mutex held. */
    private Grant grant(Entry entry, AcquireRequest request, Ticker managerTicker) {
        Grant grant = new Grant(entry.id, ++lastToken, request, managerTicker.read());
        entry.holders.put(grant, ticker.read() + grant.leaseNanos);
        if (request.mode() == AcquireMode.WRITE) {
            entry.writer = grant;
        }
        scheduleExpiryCheck(grant, grant.leaseNanos);
        return grant;
    }

    private void scheduleExpiryCheck(Grant grant, long delayNanos) {
        MemoryLockTable.TIMER.schedule(() -> checkExpiry(grant), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void checkExpiry(Grant grant) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(grant.id);
            Long expiresAt = entry == null ? null : entry.holders.get(grant);
            if (expiresAt == null) {
                return;
            }
            long remaining = expiresAt - ticker.read();
            if (remaining > 0) {
                scheduleExpiryCheck(grant, remaining);
                return;
            }
            expireDue(entry, after);
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    /** Called with the mutex held: frees the expired leases, tells their holders (after unlock), hands off. */
    private void expireDue(Entry entry, List<Runnable> after) {
        long now = ticker.read();
        boolean any = false;
        for (var it = entry.holders.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Grant, Long> holder = it.next();
            if (holder.getValue() - now > 0) {
                continue;
            }
            it.remove();
            Grant gone = holder.getKey();
            if (entry.writer == gone) {
                entry.writer = null;
            }
            any = true;
            after.add(() -> gone.request
                    .listener()
                    .leaseLost(new LockLostException(
                            gone.request.name(), "the lease of '" + gone.request.name() + "' expired")));
        }
        if (any) {
            handOff(entry, after);
        }
    }

    /** Called with the mutex held: grants the waiters at the head of the queue that fit, in order. */
    private void handOff(Entry entry, List<Runnable> after) {
        while (!entry.waiters.isEmpty()) {
            MemoryWaiter next = entry.waiters.peekFirst();
            if (next.future.isDone()) {
                entry.waiters.pollFirst();
                continue;
            }
            if (!fits(entry, next.request)) {
                break;
            }
            entry.waiters.pollFirst();
            Grant grant = grant(entry, next.request, next.managerTicker);
            after.add(() -> {
                if (!next.future.complete(grant)) {
                    release(grant);
                }
            });
        }
        removeIfIdle(entry);
    }

    private void removeIfIdle(Entry entry) {
        if (entry.holders.isEmpty() && entry.waiters.isEmpty()) {
            entries.remove(entry.id, entry);
        }
    }
}
