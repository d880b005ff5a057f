/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.LockInfo;
import dev.globallock.spi.LockInspector;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
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
}
