/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends the engine's two hot requests, the acquire transaction and the release delete, straight on
 * the gRPC channel of the engine's own jetcd client, around jetcd's KV client.
 *
 * <p>jetcd's KV client answers every call through a Vert.x event loop and a Failsafe retry
 * wrapper: one more thread hand-over and more client CPU per call, enough that a lock+unlock
 * through it was about 10% slower than a bare put+delete through jetcd. Here the answer completes
 * the future on the channel's event-loop thread that read it, which is also where jetcd's KV client
 * completes the engine's futures (the engine's client runs jetcd's executor on the calling thread),
 * so whatever is chained on them runs where it ran before. The requests are the messages jetcd
 * would send (a test compares them), on the same connection (endpoints, TLS, keep-alive), with the
 * same deadline, and as with jetcd for these requests they are never re-sent once they may have
 * reached the server (gRPC retries by itself only a call that never left the client).
 *
 * <p>The channel is learned by this interceptor, installed on the client the engine builds, from
 * the first call the client makes; until then (and for an application's own client, or one with
 * user/password authentication, whose token jetcd attaches per call) {@link #ready()} is false and
 * the engine goes through jetcd. Thread-safe; never blocks.
 */
final class EtcdDirectKv implements ClientInterceptor {
    /** Services jetcd calls on its one long-lived channel (its maintenance calls may use throwaway ones). */
    private static final Set<String> MAIN_CHANNEL_SERVICES =
            Set.of("etcdserverpb.KV", "etcdserverpb.Lease", "etcdserverpb.Watch");

    private final long timeoutNanos;
    private final LongAdder requestsSent = new LongAdder();
    private volatile Channel channel;

    EtcdDirectKv(Duration requestTimeout) {
        this.timeoutNanos = requestTimeout.toNanos();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        if (channel == null
                && method.getServiceName() != null
                && MAIN_CHANNEL_SERVICES.contains(method.getServiceName())) {
            channel = next;
        }
        return next.newCall(method, options);
    }

    /** Whether the channel is known, so that {@link #acquire} and {@link #delete} can be used. */
    boolean ready() {
        return channel != null;
    }

    /**
     * The acquire transaction: if {@code key} was never created, put it (empty, on {@code leaseId})
     * and read the names of the {@code newest} newest keys of {@code directory} by create revision;
     * otherwise read {@code key}'s name. The same request as jetcd's {@code txn().If(createRevision
     * == 0).Then(put, get(prefix, keys only, sorted by create revision descending, limit)).Else(get
     * keys only)}.
     */
    CompletableFuture<TxnResponse> acquire(ByteSequence key, long leaseId, ByteSequence directory, int newest) {
        return call(KVGrpc.getTxnMethod(), acquireRequest(key, leaseId, directory, newest))
                .thenApply(response -> new TxnResponse(response, ByteSequence.EMPTY));
    }

    static TxnRequest acquireRequest(ByteSequence key, long leaseId, ByteSequence directory, int newest) {
        ByteString keyBytes = wrap(key);
        ByteString from = wrap(directory);
        return TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(keyBytes)
                        .setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL)
                        .setCreateRevision(0))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder().setKey(keyBytes).setLease(leaseId)))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestRange(RangeRequest.newBuilder()
                                .setKey(from)
                                .setRangeEnd(prefixEnd(from))
                                .setSortTarget(RangeRequest.SortTarget.CREATE)
                                .setSortOrder(RangeRequest.SortOrder.DESCEND)
                                .setLimit(newest)
                                .setKeysOnly(true)))
                .addFailure(RequestOp.newBuilder()
                        .setRequestRange(
                                RangeRequest.newBuilder().setKey(keyBytes).setKeysOnly(true)))
                .build();
    }

    /**
     * The acquire transaction of a permit, read or write ({@link EtcdSharedKeys}): if {@code key} was
     * never created (and, for a downgrade, {@code writeKey} is still the incarnation created at
     * {@code writeRevision}), put it with {@code value} on {@code leaseId} and read the whole
     * directory, oldest first, with the values; otherwise read {@code key}'s name. On this path, as
     * the lock's, so that a cancelled acquisition's delete cannot overtake it.
     */
    CompletableFuture<TxnResponse> acquireShared(
            ByteSequence key,
            ByteSequence value,
            long leaseId,
            ByteSequence directory,
            ByteSequence writeKey,
            long writeRevision) {
        ByteString keyBytes = wrap(key);
        ByteString from = wrap(directory);
        TxnRequest.Builder txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(keyBytes)
                        .setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL)
                        .setCreateRevision(0));
        if (writeKey != null) {
            txn.addCompare(Compare.newBuilder()
                    .setKey(wrap(writeKey))
                    .setTarget(Compare.CompareTarget.CREATE)
                    .setResult(Compare.CompareResult.EQUAL)
                    .setCreateRevision(writeRevision));
        }
        TxnRequest request = txn.addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder()
                                .setKey(keyBytes)
                                .setValue(wrap(value))
                                .setLease(leaseId)))
                .addSuccess(RequestOp.newBuilder()
                        .setRequestRange(RangeRequest.newBuilder()
                                .setKey(from)
                                .setRangeEnd(prefixEnd(from))
                                .setSortTarget(RangeRequest.SortTarget.CREATE)
                                .setSortOrder(RangeRequest.SortOrder.ASCEND)))
                .addFailure(RequestOp.newBuilder()
                        .setRequestRange(
                                RangeRequest.newBuilder().setKey(keyBytes).setKeysOnly(true)))
                .build();
        return call(KVGrpc.getTxnMethod(), request)
                .thenApply(response -> new TxnResponse(response, ByteSequence.EMPTY));
    }

    /** The release: one plain delete of {@code key}. */
    CompletableFuture<DeleteResponse> delete(ByteSequence key) {
        DeleteRangeRequest request =
                DeleteRangeRequest.newBuilder().setKey(wrap(key)).build();
        return call(KVGrpc.getDeleteRangeMethod(), request)
                .thenApply(response -> new DeleteResponse(response, ByteSequence.EMPTY));
    }

    /** How many requests went on the direct path: for tests. */
    long requestsSent() {
        return requestsSent.sum();
    }

    private <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request) {
        requestsSent.increment();
        ClientCall<Q, R> call = channel.newCall(
                method,
                CallOptions.DEFAULT
                        .withWaitForReady()
                        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)
                        .withExecutor(MoreExecutors.directExecutor()));
        Answer<R> answer = new Answer<>(call);
        ClientCalls.asyncUnaryCall(call, request, answer);
        return answer;
    }

    private static ByteString wrap(ByteSequence bytes) {
        return UnsafeByteOperations.unsafeWrap(bytes.getBytes()); // getBytes() returns a copy
    }

    /** The end of the range of keys starting with {@code prefix}: its last byte below 0xff, plus one. */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return UnsafeByteOperations.unsafeWrap(Arrays.copyOf(end, i + 1));
            }
        }
        return ByteString.copyFrom(new byte[] {0}); // all 0xff: to the end of the key space
    }

    /** The future of one call; cancelling it cancels the call. */
    private static final class Answer<R> extends CompletableFuture<R> implements StreamObserver<R> {
        private final ClientCall<?, R> call;

        Answer(ClientCall<?, R> call) {
            this.call = call;
        }

        @Override
        public void onNext(R value) {
            complete(value);
        }

        @Override
        public void onError(Throwable failure) {
            completeExceptionally(failure);
        }

        @Override
        public void onCompleted() {}

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                call.cancel("the engine stopped waiting for this answer", null);
            }
            return cancelled;
        }
    }
}
