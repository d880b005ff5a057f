/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Durations;
import dev.globallock.spi.AcquireRequest;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leases the engine puts lock keys on: one shared session lease per lease length for every
 * watchdog lock, granted when first needed and kept alive every third of its TTL as etcd's own
 * {@code concurrency.Session} does; a lease of its own for each lock with an explicit lease time;
 * and the keep-alive of leases that only queued waiters use. A lease found gone tells every waiter
 * queued on it. Thread-safe; never blocks.
 */
final class EtcdSessions {

    private final EtcdCalls calls;
    private final EtcdRuntime runtime;
    private final EtcdFailures failures;
    /** Per TTL in seconds, the session lease (granted, or being granted). */
    private final Map<Long, CompletableFuture<EtcdLease>> sessions = new ConcurrentHashMap<>();
    /** Leases that queued waiters use: kept alive while they wait. */
    private final Set<EtcdLease> waitedOn = ConcurrentHashMap.newKeySet();

    EtcdSessions(EtcdCalls calls, EtcdRuntime runtime, EtcdFailures failures) {
        this.calls = calls;
        this.runtime = runtime;
        this.failures = failures;
    }

    /** The lease an acquisition puts its key on: the shared session lease, or a lease of its own. */
    CompletableFuture<EtcdLease> leaseFor(AcquireRequest request) {
        long ttl = ttlSeconds(request.leaseTime());
        return request.watchdog() ? session(ttl) : ownLease(ttl, request);
    }

    static long ttlSeconds(Duration lease) {
        long seconds = lease.getSeconds() + (lease.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private CompletableFuture<EtcdLease> session(long ttl) {
        while (true) {
            CompletableFuture<EtcdLease> existing = sessions.get(ttl);
            if (existing != null) {
                EtcdLease lease = existing.getNow(null);
                if (!existing.isDone() || (lease != null && !lease.isDead())) {
                    return existing;
                }
                sessions.remove(ttl, existing);
                continue;
            }
            CompletableFuture<EtcdLease> fresh = new CompletableFuture<>();
            if (sessions.putIfAbsent(ttl, fresh) != null) {
                continue;
            }
            long sentAt = runtime.now();
            calls.bounded(calls.leases().grant(ttl)).whenComplete((granted, failure) -> {
                if (failure != null) {
                    sessions.remove(ttl, fresh);
                    fresh.completeExceptionally(failure);
                } else {
                    fresh.complete(new EtcdLease(granted.getID(), granted.getTTL(), true, sentAt));
                }
            });
            return fresh;
        }
    }

    private CompletableFuture<EtcdLease> ownLease(long ttl, AcquireRequest request) {
        long sentAt = runtime.now();
        return calls.bounded(calls.leases().grant(ttl)).thenCompose(granted -> {
            if (granted.getTTL() > ttl) {
                // etcd raised the TTL to its minimum: the lock would outlive the lease time asked for
                calls.leases().revoke(granted.getID());
                return CompletableFuture.failedFuture(failures.leaseTooShort(
                        request.name(), Durations.format(request.leaseTime()), granted.getTTL()));
            }
            return CompletableFuture.completedFuture(new EtcdLease(granted.getID(), granted.getTTL(), false, sentAt));
        });
    }

    /**
     * One keep-alive: completes with true when the lease lives (its TTL was reset), false when etcd
     * no longer knows it (then every waiter on it is told), exceptionally when it could not tell.
     */
    CompletableFuture<Boolean> keepAlive(EtcdLease lease, long sentAt) {
        if (lease.isDead()) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<LeaseKeepAliveResponse> call;
        try {
            call = calls.leases().keepAliveOnce(lease.id);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return calls.bounded(call).handle((response, failure) -> {
            if (failure == null && response.getTTL() > 0) {
                lease.renewed(sentAt);
                return true;
            }
            if (failure == null || EtcdErrors.leaseNotFound(failure)) {
                leaseDead(lease);
                return false;
            }
            throw new CompletionException(EtcdErrors.unwrap(failure));
        });
    }

    /** The lease is gone on the server: a session is granted afresh, and its waiters are told. */
    void leaseDead(EtcdLease lease) {
        if (!lease.markDead()) {
            return;
        }
        if (lease.session) {
            sessions.values().removeIf(session -> session.getNow(null) == lease);
        }
        for (EtcdLease.Waiter waiter : List.copyOf(lease.waiters)) {
            waiter.leaseGone();
        }
    }

    void waiterQueued(EtcdLease lease, EtcdLease.Waiter waiter) {
        lease.waiters.add(waiter);
        waitedOn.add(lease);
    }

    void waiterDone(EtcdLease lease, EtcdLease.Waiter waiter) {
        if (lease != null) {
            lease.waiters.remove(waiter);
        }
    }

    /** On every tick of the engine: the keep-alives that are due. */
    void keepAlive() {
        keepSessionsAlive();
        keepWaitersAlive();
    }

    /**
     * Keeps every session lease alive, every third of its TTL, whether or not a lock is held on it,
     * as etcd's own {@code concurrency.Session} does. The manager's watchdog renews only the leases
     * of locks held when it ticks: a session idle across its ticks ran out up to a TTL after its last
     * renewal, and a lock taken on it just before that was freed on the server under a holder that
     * still believed it held it, until the next tick told it (another manager took the lock in the
     * meantime). Stops with the engine's ticks, and so with its abandonment: a crashed holder's
     * session ends.
     */
    private void keepSessionsAlive() {
        try {
            long now = runtime.now();
            for (CompletableFuture<EtcdLease> session : sessions.values()) {
                EtcdLease lease = session.getNow(null);
                if (lease != null) {
                    keepAliveIfDue(lease, now);
                }
            }
        } catch (RuntimeException e) {
            EtcdFailures.LOG.log(Level.WARNING, "etcd engine: keeping the session leases alive failed", e);
        }
    }

    /**
     * The manager's watchdog renews leases of held locks; a lease that only queued waiters use is
     * kept alive here, every third of its TTL, so a long wait does not lose its place.
     */
    private void keepWaitersAlive() {
        try {
            long now = runtime.now();
            for (EtcdLease lease : waitedOn) {
                if (lease.waiters.isEmpty() || lease.isDead()) {
                    waitedOn.remove(lease);
                    if (!lease.waiters.isEmpty() && !lease.isDead()) {
                        waitedOn.add(lease);
                    }
                    continue;
                }
                keepAliveIfDue(lease, now);
            }
        } catch (RuntimeException e) {
            EtcdFailures.LOG.log(Level.WARNING, "etcd engine: keeping queued waiters' leases alive failed", e);
        }
    }

    /** One keep-alive when a third of the TTL has passed since the last, unless one is in flight. */
    private void keepAliveIfDue(EtcdLease lease, long now) {
        if (!lease.isDead() && lease.dueForKeepAlive(now) && lease.tryStartKeepAlive()) {
            keepAlive(lease, now).whenComplete((alive, failure) -> lease.keepAliveDone());
        }
    }

    /**
     * Revokes the session leases (which deletes any key still on them) and forgets them: the engine
     * closes. Waits for the answers up to {@code bound}; a lease not revoked expires by itself.
     */
    void revokeAll(Duration bound) {
        List<CompletableFuture<?>> revokes = new ArrayList<>();
        for (CompletableFuture<EtcdLease> session : sessions.values()) {
            EtcdLease lease = session.getNow(null);
            if (lease != null && !lease.isDead()) {
                revokes.add(calls.leases().revoke(lease.id));
            }
        }
        sessions.clear();
        try {
            CompletableFuture.allOf(revokes.toArray(new CompletableFuture<?>[0]))
                    .get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            EtcdFailures.LOG.log(
                    Level.WARNING,
                    () -> "closing the etcd engine at " + failures.endpoint()
                            + ": could not revoke its session lease; it expires by itself: "
                            + EtcdErrors.describe(e));
        }
    }
}
