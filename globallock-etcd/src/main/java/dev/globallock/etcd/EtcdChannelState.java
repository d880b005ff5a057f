package dev.globallock.etcd;

import dev.globallock.Durations;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.util.ForwardingLoadBalancerHelper;
import io.grpc.util.ForwardingSubchannel;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What the gRPC channel of the engine's own jetcd client knows about its connection, without I/O:
 * its state (connecting, ready, failing) and the error of the last failed connection attempt.
 *
 * <p>jetcd keeps its channel to itself, so this is a load-balancing policy: gRPC's own {@code
 * pick_first} (jetcd's default), registered under a name of its own for one engine's client, that
 * passes everything through and notes the channel's state and each address's failures as they
 * happen. Nothing is added to a call's path. {@link #register()} before the client is built (jetcd
 * builds its channel when the engine opens), {@link #deregister()} when the engine closes.
 * Thread-safe.
 */
final class EtcdChannelState extends LoadBalancerProvider {
    private static final String DELEGATE = "pick_first";
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final String policyName = "globallock_etcd_" + INSTANCES.incrementAndGet();
    /** The engine's monotonic clock once it started; nothing happens on the channel before. */
    private volatile LongSupplier nanoTime = System::nanoTime;

    private volatile ConnectivityState state = ConnectivityState.IDLE;
    private volatile long stateSinceNanos;
    /** The last connection attempt that failed (its status carries the cause), or null. */
    private volatile Status lastFailure;

    EtcdChannelState() {
        this.stateSinceNanos = nanoTime.getAsLong();
    }

    /** From now on, times are read from the engine's clock. */
    void useClock(LongSupplier clock) {
        this.nanoTime = clock;
        this.stateSinceNanos = clock.getAsLong();
    }

    /** The policy name to give jetcd's {@code loadBalancerPolicy}. */
    String policy() {
        return policyName;
    }

    void register() {
        LoadBalancerRegistry.getDefaultRegistry().register(this);
    }

    void deregister() {
        LoadBalancerRegistry.getDefaultRegistry().deregister(this);
    }

    /**
     * What is wrong with the connection right now, or empty when nothing is known to be: the
     * channel is failing to connect (refused, not an HTTP/2 server, TLS failure…), or it has been
     * connecting for longer than {@code connectTimeout} (a server that accepts TCP connections and
     * never answers).
     */
    Optional<String> problem(Duration connectTimeout) {
        ConnectivityState now = state;
        if (now == ConnectivityState.TRANSIENT_FAILURE) {
            Status failure = lastFailure;
            return Optional.of(failure == null ? "its connection failed" : describe(failure));
        }
        if (now == ConnectivityState.CONNECTING && nanoTime.getAsLong() - stateSinceNanos >= connectTimeout.toNanos()) {
            Status failure = lastFailure;
            return Optional.of("no connection was established within the connect timeout of "
                    + Durations.format(connectTimeout)
                    + (failure != null
                            ? " (last failure: " + describe(failure) + ")"
                            : ": the server accepted the TCP connection but never answered in etcd's protocol"
                                    + " (gRPC over HTTP/2); is this an etcd client URL?"));
        }
        return Optional.empty();
    }

    /** A failed connection attempt in words: the cause gRPC found, such as a refused connection. */
    static String describe(Status status) {
        Throwable cause = status.getCause();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused (" + (cause.getMessage() != null ? cause.getMessage() : t) + ")";
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.contains("First received frame was not SETTINGS")) {
                return "the server does not speak etcd's protocol, gRPC over HTTP/2 (" + firstLine(message) + ")";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        String text = status.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (status.getDescription() != null) {
            text += ": " + status.getDescription();
        }
        if (cause != null && cause.getMessage() != null) {
            text += " (" + firstLine(cause.getMessage()) + ")";
        }
        return text;
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    private void channelState(ConnectivityState next) {
        if (next != state) {
            stateSinceNanos = nanoTime.getAsLong();
            state = next;
        }
    }

    // ------------------------------------------------------------------ LoadBalancerProvider

    private static LoadBalancerProvider delegateProvider() {
        LoadBalancerProvider provider =
                LoadBalancerRegistry.getDefaultRegistry().getProvider(DELEGATE);
        if (provider == null) {
            throw new IllegalStateException("gRPC's " + DELEGATE + " load-balancing policy is not available");
        }
        return provider;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int getPriority() {
        return 5;
    }

    @Override
    public String getPolicyName() {
        return policyName;
    }

    @Override
    public NameResolver.ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
        return delegateProvider().parseLoadBalancingPolicyConfig(rawConfig);
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
        return new Observed(delegateProvider().newLoadBalancer(new ObservingHelper(helper)));
    }

    /** Notes the channel's state and every address's failed connection attempt. */
    private final class ObservingHelper extends ForwardingLoadBalancerHelper {
        private final LoadBalancer.Helper helper;

        ObservingHelper(LoadBalancer.Helper helper) {
            this.helper = helper;
        }

        @Override
        protected LoadBalancer.Helper delegate() {
            return helper;
        }

        @Override
        public void updateBalancingState(ConnectivityState newState, LoadBalancer.SubchannelPicker picker) {
            channelState(newState);
            super.updateBalancingState(newState, picker);
        }

        @Override
        public LoadBalancer.Subchannel createSubchannel(LoadBalancer.CreateSubchannelArgs args) {
            LoadBalancer.Subchannel subchannel = super.createSubchannel(args);
            return new ForwardingSubchannel() {
                @Override
                protected LoadBalancer.Subchannel delegate() {
                    return subchannel;
                }

                @Override
                public void start(LoadBalancer.SubchannelStateListener listener) {
                    super.start(info -> {
                        subchannelState(info);
                        listener.onSubchannelState(info);
                    });
                }
            };
        }
    }

    private void subchannelState(ConnectivityStateInfo info) {
        if (info.getState() == ConnectivityState.TRANSIENT_FAILURE) {
            lastFailure = info.getStatus();
        } else if (info.getState() == ConnectivityState.READY) {
            lastFailure = null;
        }
    }

    /** The delegate policy, passed everything as it is; a failure to resolve a host name is noted. */
    private final class Observed extends LoadBalancer {
        private final LoadBalancer delegate;

        Observed(LoadBalancer delegate) {
            this.delegate = delegate;
        }

        @Override
        public Status acceptResolvedAddresses(ResolvedAddresses addresses) {
            return delegate.acceptResolvedAddresses(addresses);
        }

        @Override
        public void handleResolvedAddresses(ResolvedAddresses addresses) {
            delegate.handleResolvedAddresses(addresses);
        }

        @Override
        public void handleNameResolutionError(Status error) {
            lastFailure = error;
            delegate.handleNameResolutionError(error);
        }

        @Override
        public boolean canHandleEmptyAddressListFromNameResolution() {
            return delegate.canHandleEmptyAddressListFromNameResolution();
        }

        @Override
        public void requestConnection() {
            delegate.requestConnection();
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }
}
