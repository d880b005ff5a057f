/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.LockInspector;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a lock without taking it: its owner is the oldest key of its directory, the fencing token
 * that key's create revision, and the time left the TTL of the key's lease. Thread-safe.
 */
final class EtcdInspector implements LockInspector {
    /** The oldest key of a directory, by create revision, name only. */
    private static final GetOption OWNER = GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.ASCEND)
            .withLimit(1)
            .withKeysOnly(true)
            .build();

    private final EtcdCalls calls;
    private final EtcdFailures failures;
    private final String namespace;

    EtcdInspector(EtcdCalls calls, EtcdFailures failures, String namespace) {
        this.calls = calls;
        this.failures = failures;
        this.namespace = namespace;
    }

    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key) {
        CompletableFuture<LockInfo> info = calls.bounded(calls.kv().get(EtcdKeys.lockPrefix(namespace, key), OWNER))
                .thenCompose(response -> {
                    if (response.getKvs().isEmpty()) {
                        return CompletableFuture.completedFuture(LockInfo.free(name));
                    }
                    KeyValue holder = response.getKvs().get(0);
                    OptionalLong token = OptionalLong.of(holder.getCreateRevision());
                    if (holder.getLease() == 0) {
                        return CompletableFuture.completedFuture(LockInfo.held(name, token, Optional.empty()));
                    }
                    return calls.bounded(calls.leases().timeToLive(holder.getLease(), LeaseOption.DEFAULT))
                            .thenApply(ttl -> LockInfo.held(
                                    name,
                                    token,
                                    ttl.getTTL() > 0
                                            ? Optional.of(Duration.ofSeconds(ttl.getTTL()))
                                            : Optional.empty()));
                });
        return info.exceptionally(failure -> {
            throw failures.failed("inspect", name, failure);
        });
    }

    /**
     * A semaphore's or read-write lock's holders, from one read of its directory: the first N keys
     * of a semaphore; the oldest key if it is a writer's (and the readers that downgraded it), else
     * the readers before the first writer and every downgraded reader. The token is the newest
     * holder's key's create revision (a waiter's grant may carry a greater one), the time left that
     * of the oldest holder's lease.
     */
    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
        if (mode == AcquireMode.EXCLUSIVE) {
            return inspect(name, key);
        }
        ByteSequence directory = EtcdSharedKeys.directory(namespace, key, mode);
        CompletableFuture<LockInfo> info = calls.bounded(calls.kv().get(directory, EtcdSharedKeys.WHOLE_DIRECTORY))
                .thenCompose(response -> {
                    List<KeyValue> holders = holders(mode, response.getKvs());
                    if (holders.isEmpty()) {
                        return CompletableFuture.completedFuture(LockInfo.free(name));
                    }
                    long token = 0;
                    for (KeyValue holder : holders) {
                        token = Math.max(token, holder.getCreateRevision());
                    }
                    OptionalLong fencingToken = OptionalLong.of(token);
                    long leaseId = holders.get(0).getLease();
                    if (leaseId == 0) {
                        return CompletableFuture.completedFuture(
                                LockInfo.heldBy(name, holders.size(), fencingToken, Optional.empty()));
                    }
                    return calls.bounded(calls.leases().timeToLive(leaseId, LeaseOption.DEFAULT))
                            .thenApply(ttl -> LockInfo.heldBy(
                                    name,
                                    holders.size(),
                                    fencingToken,
                                    ttl.getTTL() > 0
                                            ? Optional.of(Duration.ofSeconds(ttl.getTTL()))
                                            : Optional.empty()));
                });
        return info.exceptionally(failure -> {
            throw failures.failed("inspect", name, failure);
        });
    }

    private static List<KeyValue> holders(AcquireMode mode, List<KeyValue> all) {
        List<KeyValue> holders = new ArrayList<>();
        if (all.isEmpty()) {
            return holders;
        }
        if (mode == AcquireMode.PERMIT) {
            String kind = EtcdSharedKeys.kind(all.get(0));
            int permits = (int) Math.max(1, EtcdSharedKeys.standsAt(kind));
            return all.subList(0, Math.min(permits, all.size()));
        }
        boolean writerSeen = false;
        for (int i = 0; i < all.size(); i++) {
            String kind = EtcdSharedKeys.kind(all.get(i));
            if (kind.startsWith("w")) {
                if (i == 0) {
                    holders.add(all.get(i));
                }
                writerSeen = true;
            } else if (kind.startsWith("d") || !writerSeen) {
                holders.add(all.get(i));
            }
        }
        return holders;
    }
}
