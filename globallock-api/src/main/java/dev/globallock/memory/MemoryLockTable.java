/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.LockInfo;
import dev.globallock.LockLostException;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock table of one in-JVM namespace, shared by every memory engine that names it, so that
 * several managers contend the way several processes would. Leases expire on a shared timer
 * thread; waiters queue in FIFO order on futures. Thread-safe; futures are completed outside the
 * table's mutex.
 */
final class MemoryLockTable {
    private static final Map<String, MemoryLockTable> TABLES = new ConcurrentHashMap<>();
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "globallock-memory-timer");
        thread.setDaemon(true);
        return thread;
    });

    private final ReentrantLock mutex = new ReentrantLock();
    private final Map<String, Entry> entries = new HashMap<>();
    private final Ticker ticker = Ticker.system();
    /** One counter for every name: tokens then increase per name as well. */
    private long lastToken;

    static MemoryLockTable named(String namespace) {
        return TABLES.computeIfAbsent(namespace, n -> new MemoryLockTable());
    }

    /** The lock holder of one key and who waits for it. */
    private static final class Entry {
        Grant holder;
        long expiresAtNanos;
        final ArrayDeque<MemoryWaiter> waiters = new ArrayDeque<>();
    }

    /** A grant in this table. */
    static final class Grant extends MemoryGrant {
        Grant(String key, long token, AcquireRequest request, long grantedAtNanos) {
            super(key, token, request, grantedAtNanos);
        }

        @Override
        public String toString() {
            return "MemoryGrant{" + id + ", token=" + token + "}";
        }
    }

    /** @param managerTicker the acquiring manager's ticker, which the grant's start is read from */
    CompletableFuture<LockGrant> acquire(AcquireRequest request, Ticker managerTicker) {
        List<Runnable> after = new ArrayList<>();
        CompletableFuture<LockGrant> future = new CompletableFuture<>();
        mutex.lock();
        try {
            Entry entry = entries.computeIfAbsent(request.key(), k -> new Entry());
            expireIfDue(entry, after);
            if (entry.holder == null && entry.waiters.isEmpty()) {
                future.complete(grant(entry, request, managerTicker));
            } else if (request.singleAttempt()) {
                future.complete(null);
            } else {
                MemoryWaiter waiter = new MemoryWaiter(request, managerTicker, future);
                entry.waiters.addLast(waiter);
                future.whenComplete((g, e) -> {
                    if (future.isCancelled()) {
                        abandon(request.key(), waiter);
                    }
                });
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
        return future;
    }

    /** Releases the grant if it still holds its key; hands the lock to the next waiter. */
    void release(Grant grant) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(grant.id);
            if (entry != null && entry.holder == grant) {
                entry.holder = null;
                handOff(grant.id, entry, after);
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
    }

    /** Extends the grant's lease; false when it no longer holds its key. */
    boolean renew(Grant grant) {
        List<Runnable> after = new ArrayList<>();
        boolean held;
        mutex.lock();
        try {
            Entry entry = entries.get(grant.id);
            if (entry != null) {
                expireIfDue(entry, after);
            }
            held = entry != null && entry.holder == grant;
            if (held) {
                entry.expiresAtNanos = ticker.read() + grant.leaseNanos;
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
        return held;
    }

    /** Drops the key's holder without telling it, as a backend that lost its data would. */
    void forget(String key) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(key);
            if (entry != null && entry.holder != null) {
                entry.holder = null;
                handOff(key, entry, after);
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
    }

    LockInfo inspect(String name, String key) {
        List<Runnable> after = new ArrayList<>();
        LockInfo info;
        mutex.lock();
        try {
            Entry entry = entries.get(key);
            if (entry != null) {
                expireIfDue(entry, after);
            }
            if (entry == null || entry.holder == null) {
                info = LockInfo.free(name);
            } else {
                long remaining = Math.max(0, entry.expiresAtNanos - ticker.read());
                info = LockInfo.held(
                        name, OptionalLong.of(entry.holder.token), Optional.of(Duration.ofNanos(remaining)));
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
        return info;
    }

    private void abandon(String key, MemoryWaiter waiter) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(key);
            if (entry != null) {
                entry.waiters.remove(waiter);
                if (entry.holder == null) {
                    handOff(key, entry, after);
                }
            }
        } finally {
            mutex.unlock();
        }
        after.forEach(Runnable::run);
    }

    /** Called with the mutex held. */
    private Grant grant(Entry entry, AcquireRequest request, Ticker managerTicker) {
        Grant grant = new Grant(request.key(), ++lastToken, request, managerTicker.read());
        entry.holder = grant;
        entry.expiresAtNanos = ticker.read() + grant.leaseNanos;
        scheduleExpiryCheck(grant, grant.leaseNanos);
        return grant;
    }

    private void scheduleExpiryCheck(Grant grant, long delayNanos) {
        TIMER.schedule(() -> checkExpiry(grant), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void checkExpiry(Grant grant) {
        List<Runnable> after = new ArrayList<>();
        mutex.lock();
        try {
            Entry entry = entries.get(grant.id);
            if (entry == null || entry.holder != grant) {
                return;
            }
            long remaining = entry.expiresAtNanos - ticker.read();
            if (remaining > 0) {
                scheduleExpiryCheck(grant, remaining);
                return;
            }
            expireIfDue(entry, after);
        } finally {
            mutex.unlock();
            after.forEach(Runnable::run);
        }
    }

    /** Called with the mutex held: frees an expired lease and tells its holder (after unlock). */
    private void expireIfDue(Entry entry, List<Runnable> after) {
        Grant holder = entry.holder;
        if (holder == null || entry.expiresAtNanos - ticker.read() > 0) {
            return;
        }
        entry.holder = null;
        after.add(() -> holder.request
                .listener()
                .leaseLost(new LockLostException(
                        holder.request.name(), "the lease of lock '" + holder.request.name() + "' expired")));
        handOff(holder.id, entry, after);
    }

    /** Called with the mutex held and no holder: grants the lock to the first live waiter. */
    private void handOff(String key, Entry entry, List<Runnable> after) {
        while (!entry.waiters.isEmpty()) {
            MemoryWaiter next = entry.waiters.pollFirst();
            if (next.future.isDone()) {
                continue;
            }
            Grant grant = grant(entry, next.request, next.managerTicker);
            after.add(() -> {
                if (!next.future.complete(grant)) {
                    release(grant);
                }
            });
            return;
        }
        if (entry.holder == null) {
            entries.remove(key);
        }
    }
}
