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
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseRevokeResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real jetcd client with test hooks: run code just before a watch is opened or just after the
 * server confirmed it (to put a release at the worst moment), and cut lease keep-alives off (a
 * client partitioned from etcd, whose leases then really expire on the server).
 */
final class HookedClient implements Client {
    private final Client delegate;
    private final HookedWatch watch;
    private final HookedLease lease;
    volatile Consumer<ByteSequence> beforeWatchOpens = key -> {};
    volatile Consumer<ByteSequence> afterWatchCreated = key -> {};
    volatile boolean keepAlivesFail;

    HookedClient(Client delegate) {
        this.delegate = delegate;
        this.watch = new HookedWatch(delegate.getWatchClient());
        this.lease = new HookedLease(delegate.getLeaseClient());
    }

    @Override
    public Auth getAuthClient() {
        return delegate.getAuthClient();
    }

    @Override
    public KV getKVClient() {
        return delegate.getKVClient();
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
