/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.LockGrant;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The watchdog's renewal of held locks: one keep-alive per lease they sit on, and alongside it one
 * read-only transaction proving their keys are still there; each lock is then confirmed, uncertain
 * (no answer) or lost (its lease or key gone). Thread-safe; never blocks.
 */
final class EtcdRenewal {
    /** etcd's default --max-txn-ops is 128. */
    private static final int KEYS_PER_RENEW_TXN = 100;

    private final EtcdCalls calls;
    private final EtcdRuntime runtime;
    private final EtcdSessions sessions;
    private final EtcdFailures failures;
    private final AtomicLong renewCursor = new AtomicLong();

    EtcdRenewal(EtcdCalls calls, EtcdRuntime runtime, EtcdSessions sessions, EtcdFailures failures) {
        this.calls = calls;
        this.runtime = runtime;
        this.sessions = sessions;
        this.failures = failures;
    }

    CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> lockGrants) {
        Map<EtcdLease, List<EtcdGrant>> byLease = new LinkedHashMap<>();
        List<EtcdGrant> all = new ArrayList<>();
        for (LockGrant lockGrant : lockGrants) {
            EtcdGrant grant = (EtcdGrant) lockGrant;
            if (!grant.isReleased()) {
                byLease.computeIfAbsent(grant.lease, lease -> new ArrayList<>()).add(grant);
                all.add(grant);
            }
        }
        if (all.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        if (runtime.stopped()) {
            return CompletableFuture.failedFuture(failures.cannotRenew());
        }
        Set<EtcdGrant> lost = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> unknown = new AtomicReference<>();
        List<CompletableFuture<?>> parts = new ArrayList<>();
        for (Map.Entry<EtcdLease, List<EtcdGrant>> entry : byLease.entrySet()) {
            EtcdLease lease = entry.getKey();
            long sentAt = runtime.now();
            parts.add(sessions.keepAlive(lease, sentAt).handle((alive, failure) -> {
                if (failure != null) {
                    unknown.compareAndSet(null, failure);
                } else if (!alive) {
                    lost.addAll(entry.getValue());
                }
                return null;
            }));
        }
        parts.add(checkKeys(all, lost, unknown));
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .handle((ignored, failure) -> {
                    Set<LockGrant> result = new HashSet<>();
                    for (EtcdGrant grant : lost) {
                        if (!grant.isReleased()) {
                            result.add(grant);
                            grant.listener.leaseLost(failures.lost(grant));
                        }
                    }
                    Throwable problem = unknown.get();
                    for (EtcdGrant grant : all) {
                        if (!lost.contains(grant)) {
                            if (problem == null) {
                                grant.listener.ownershipConfirmed();
                            } else {
                                grant.listener.ownershipUncertain();
                            }
                        }
                    }
                    if (problem != null && result.size() < all.size()) {
                        throw failures.renewalFailed(all.size() - result.size(), problem);
                    }
                    return result;
                });
    }

    /**
     * The keep-alive proves the lease lives; this read-only transaction, sent alongside, proves that
     * up to 100 keys are still there. With more locks it checks a rotating window, so every key is
     * checked every ceil(K / 100) periods and a renewal stays two parallel calls.
     */
    private CompletableFuture<Void> checkKeys(
            List<EtcdGrant> all, Set<EtcdGrant> lost, AtomicReference<Throwable> unknown) {
        List<EtcdGrant> ordered = new ArrayList<>(all);
        ordered.sort(Comparator.comparingLong(grant -> grant.createRevision));
        int window = Math.min(ordered.size(), KEYS_PER_RENEW_TXN);
        int start = (int) Math.floorMod(renewCursor.getAndAdd(window), (long) ordered.size());
        List<EtcdGrant> chunk = new ArrayList<>(window);
        for (int i = 0; i < window; i++) {
            chunk.add(ordered.get((start + i) % ordered.size()));
        }
        ByteSequence[] keys = new ByteSequence[chunk.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = chunk.get(i).key;
        }
        return calls.readKeys(keys).handle((response, failure) -> {
            if (failure != null) {
                unknown.compareAndSet(null, failure);
                return (Void) null;
            }
            for (int i = 0; i < keys.length; i++) {
                List<KeyValue> found = response.getGetResponses().get(i).getKvs();
                EtcdGrant grant = chunk.get(i);
                if (found.isEmpty() || found.get(0).getCreateRevision() != grant.createRevision) {
                    lost.add(grant);
                }
            }
            return (Void) null;
        });
    }
}
