/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Cluster;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.Maintenance;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.CompactResponse;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseRevokeResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.TxnOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A real jetcd client with test hooks: run code just before a watch is opened or just after the
 * server confirmed it (to put a release at the worst moment), cut lease keep-alives off (a client
 * partitioned from etcd, whose leases then really expire on the server), and record or hold back
 * key-value requests so that a test can send them again later (a request that a frozen member
 * applies long after the client gave up on it).
 */
final class HookedClient implements Client {
    private final Client delegate;
    private final HookedWatch watch;
    private final HookedLease lease;
    private final HookedKV kv;
    /** While true, every delete and transaction sent is also recorded in {@link #recorded}. */
    volatile boolean recording;
    /** Replays of the requests sent while {@link #recording}, in the order they were sent. */
    final List<Supplier<CompletableFuture<?>>> recorded = new CopyOnWriteArrayList<>();
    /**
     * While true, the next transaction is not sent: it is added to {@link #heldBack} and its caller
     * sees a deadline pass, as if a frozen member had swallowed it. Reset once a transaction is held.
     */
    volatile boolean holdBackNextTxn;
    /** The same for the next plain delete. */
    volatile boolean holdBackNextDelete;
    /** Transactions and deletes held back, to be sent later. */
    final List<Supplier<CompletableFuture<?>>> heldBack = new CopyOnWriteArrayList<>();

    volatile Consumer<ByteSequence> beforeWatchOpens = key -> {};
    volatile Consumer<ByteSequence> afterWatchCreated = key -> {};
    volatile boolean keepAlivesFail;

    HookedClient(Client delegate) {
        this.delegate = delegate;
        this.watch = new HookedWatch(delegate.getWatchClient());
        this.lease = new HookedLease(delegate.getLeaseClient());
        this.kv = new HookedKV(delegate.getKVClient());
    }

    @Override
    public Auth getAuthClient() {
        return delegate.getAuthClient();
    }

    @Override
    public KV getKVClient() {
        return kv;
    }

    @Override
    public Cluster getClusterClient() {
        return delegate.getClusterClient();
    }

    @Override
    public Maintenance getMaintenanceClient() {
        return delegate.getMaintenanceClient();
    }

    @Override
    public Lease getLeaseClient() {
        return lease;
    }

    @Override
    public Watch getWatchClient() {
        return watch;
    }

    @Override
    public Lock getLockClient() {
        return delegate.getLockClient();
    }

    @Override
    public Election getElectionClient() {
        return delegate.getElectionClient();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private final class HookedKV implements KV {
        private final KV real;

        HookedKV(KV real) {
            this.real = real;
        }

        @Override
        public CompletableFuture<PutResponse> put(ByteSequence key, ByteSequence value) {
            return real.put(key, value);
        }

        @Override
        public CompletableFuture<PutResponse> put(ByteSequence key, ByteSequence value, PutOption option) {
            return real.put(key, value, option);
        }

        @Override
        public CompletableFuture<GetResponse> get(ByteSequence key) {
            return real.get(key);
        }

        @Override
        public CompletableFuture<GetResponse> get(ByteSequence key, GetOption option) {
            return real.get(key, option);
        }

        @Override
        public CompletableFuture<DeleteResponse> delete(ByteSequence key) {
            return delete(key, DeleteOption.DEFAULT);
        }

        @Override
        public CompletableFuture<DeleteResponse> delete(ByteSequence key, DeleteOption option) {
            if (holdBackNextDelete) {
                holdBackNextDelete = false;
                heldBack.add(() -> real.delete(key, option));
                return CompletableFuture.failedFuture(Status.DEADLINE_EXCEEDED
                        .withDescription("test: held back")
                        .asRuntimeException());
            }
            if (recording) {
                recorded.add(() -> real.delete(key, option));
            }
            return real.delete(key, option);
        }

        @Override
        public CompletableFuture<CompactResponse> compact(long rev) {
            return real.compact(rev);
        }

        @Override
        public CompletableFuture<CompactResponse> compact(long rev, CompactOption option) {
            return real.compact(rev, option);
        }

        @Override
        public Txn txn() {
            return new RecordedTxn(real);
        }

        @Override
        public Txn txn(TxnOption option) {
            return new RecordedTxn(real);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    /** A transaction that remembers its parts, so that it can be sent again or instead later. */
    private final class RecordedTxn implements Txn {
        private final KV real;
        private Cmp[] ifs = new Cmp[0];
        private Op[] thens = new Op[0];
        private Op[] elses = new Op[0];

        RecordedTxn(KV real) {
            this.real = real;
        }

        @Override
        public Txn If(Cmp... cmps) {
            ifs = cmps.clone();
            return this;
        }

        @Override
        public Txn Then(Op... ops) {
            thens = ops.clone();
            return this;
        }

        @Override
        public Txn Else(Op... ops) {
            elses = ops.clone();
            return this;
        }

        @Override
        public CompletableFuture<TxnResponse> commit() {
            Supplier<CompletableFuture<?>> send = this::send;
            if (holdBackNextTxn) {
                holdBackNextTxn = false;
                heldBack.add(send);
                return CompletableFuture.failedFuture(Status.DEADLINE_EXCEEDED
                        .withDescription("test: held back")
                        .asRuntimeException());
            }
            if (recording) {
                recorded.add(send);
            }
            return send();
        }

        private CompletableFuture<TxnResponse> send() {
            return real.txn().If(ifs).Then(thens).Else(elses).commit();
        }
    }

    private final class HookedWatch implements Watch {
        private final Watch real;

        HookedWatch(Watch real) {
            this.real = real;
        }

        @Override
        public Watcher watch(ByteSequence key, WatchOption option, Listener listener) {
            beforeWatchOpens.accept(key);
            return real.watch(key, option, new Listener() {
                @Override
                public void onNext(WatchResponse response) {
                    if (response.isCreatedNotify()) {
                        afterWatchCreated.accept(key);
                    }
                    listener.onNext(response);
                }

                @Override
                public void onError(Throwable throwable) {
                    listener.onError(throwable);
                }

                @Override
                public void onCompleted() {
                    listener.onCompleted();
                }
            });
        }

        @Override
        public void requestProgress() {
            real.requestProgress();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private final class HookedLease implements Lease {
        private final Lease real;

        HookedLease(Lease real) {
            this.real = real;
        }

        @Override
        public CompletableFuture<LeaseGrantResponse> grant(long ttl) {
            return real.grant(ttl);
        }

        @Override
        public CompletableFuture<LeaseGrantResponse> grant(long ttl, long timeout, TimeUnit unit) {
            return real.grant(ttl, timeout, unit);
        }

        @Override
        public CompletableFuture<LeaseRevokeResponse> revoke(long leaseId) {
            return real.revoke(leaseId);
        }

        @Override
        public CompletableFuture<LeaseKeepAliveResponse> keepAliveOnce(long leaseId) {
            if (keepAlivesFail) {
                return CompletableFuture.failedFuture(
                        Status.UNAVAILABLE.withDescription("test: partitioned").asRuntimeException());
            }
            return real.keepAliveOnce(leaseId);
        }

        @Override
        public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long leaseId, LeaseOption leaseOption) {
            return real.timeToLive(leaseId, leaseOption);
        }

        @Override
        public CloseableClient keepAlive(long leaseId, StreamObserver<LeaseKeepAliveResponse> observer) {
            return real.keepAlive(leaseId, observer);
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
