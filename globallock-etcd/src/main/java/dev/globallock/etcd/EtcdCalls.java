/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Durations;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How the engine's parts reach etcd: jetcd's KV, lease and watch clients, the direct path for the
 * hot requests, a bound on every call of an application's client, and the requests that several
 * parts send (a plain delete, a delete guarded by the key's create revision, a read of many keys'
 * names in one transaction). Each part builds its own other requests. Thread-safe; never blocks.
 */
final class EtcdCalls {
    static final GetOption KEYS_ONLY = GetOption.builder().withKeysOnly(true).build();

    private final KV kv;
    private final Watch watch;
    private final Lease leases;
    private final EtcdConnection connection;
    /** The engine's own client puts a gRPC deadline on every call; an application's is bounded here. */
    private final boolean ownClient;

    private final Duration requestTimeout;
    private final EtcdRuntime runtime;

    EtcdCalls(EtcdConnection connection, Duration requestTimeout, EtcdRuntime runtime) {
        this.connection = connection;
        this.ownClient = connection.owned;
        this.requestTimeout = requestTimeout;
        this.runtime = runtime;
        this.kv = connection.client.getKVClient();
        this.watch = connection.client.getWatchClient();
        this.leases = connection.client.getLeaseClient();
    }

    KV kv() {
        return kv;
    }

    Lease leases() {
        return leases;
    }

    Watch watchClient() {
        return watch;
    }

    /** The direct path for the hot requests, once it is ready; otherwise null (use {@link #kv()}). */
    EtcdDirectKv directKv() {
        return connection.directKv();
    }

    /** One plain delete of a key: on the direct path when it is ready. */
    CompletableFuture<DeleteResponse> delete(ByteSequence key) {
        EtcdDirectKv direct = directKv();
        return bounded(direct != null ? direct.delete(key) : kv.delete(key));
    }

    /**
     * Deletes a key only if it is the incarnation created at {@code createRevision}: a retry, which
     * may overtake the failed attempt before it, and the sweep of stray keys use this.
     */
    CompletableFuture<Void> deleteIfCreatedAt(ByteSequence key, long createRevision) {
        return bounded(kv.txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(createRevision)))
                        .Then(Op.delete(key, DeleteOption.DEFAULT))
                        .commit())
                .thenApply(done -> (Void) null);
    }

    /** One read-only transaction reading the names of these keys: answer {@code i} is key {@code i}. */
    CompletableFuture<TxnResponse> readKeys(ByteSequence[] keys) {
        Op[] reads = new Op[keys.length];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = Op.get(keys[i], KEYS_ONLY);
        }
        return bounded(kv.txn().Then(reads).commit());
    }

    /**
     * Bounds a jetcd call by the request timeout plus a margin, for clients the application
     * supplied; the engine's own client already puts a gRPC deadline on each call (which also
     * cancels it on the server), so its calls are returned as they are.
     */
    <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
        ScheduledExecutorService timers = runtime.scheduler();
        if (ownClient || call.isDone() || timers == null || timers.isShutdown()) {
            return call; // the engine's own client puts a gRPC deadline on every call
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        long bound = requestTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
        ScheduledFuture<?> timer;
        try {
            timer = timers.schedule(
                    () -> out.completeExceptionally(Status.DEADLINE_EXCEEDED
                            .withDescription(
                                    "no answer within the request timeout of " + Durations.format(requestTimeout))
                            .asRuntimeException()),
                    bound,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return call;
        }
        call.whenComplete((value, failure) -> {
            timer.cancel(false);
            if (failure != null) {
                out.completeExceptionally(EtcdErrors.unwrap(failure));
            } else {
                out.complete(value);
            }
        });
        return out;
    }
}
