/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Durations;
import dev.globallock.spi.support.TlsFailures;
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
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>TLS failures are said in {@link TlsFailures}' words. A plain channel whose connection was
 * closed (not refused) asks, once, on a thread of its own, whether the address speaks TLS: then the
 * problem is "server expects TLS".
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

    /** Whether the channel speaks TLS, and presents a client certificate. */
    private final boolean tls;

    private final boolean clientCertificate;
    /** The bound of the probe that asks a plain channel's server whether it speaks TLS. */
    private final Duration probeTimeout;

    private final AtomicBoolean probed = new AtomicBoolean();
    /** A plain channel reached a server that speaks TLS. */
    private volatile boolean expectsTls;

    /**
     * The failure that ended the channel's last attempt to connect when it cannot be ridden out (a
     * TLS handshake that failed for a reason only an operator can fix); null when the last attempt
     * failed for a transient reason, or the channel connected since.
     */
    private volatile Definite definite;
    /** Told, on gRPC's or the probe's thread, each time the channel notes a definite failure. */
    private volatile Runnable onDefinite = () -> {};

    /**
     * A failure to connect that waiting cannot cure: its words ("the TLS handshake failed:
     * certificate not trusted (…)") and its cause.
     */
    record Definite(String words, Throwable cause) {}

    EtcdChannelState(boolean tls, boolean clientCertificate, Duration probeTimeout) {
        this.tls = tls;
        this.clientCertificate = clientCertificate;
        this.probeTimeout = probeTimeout;
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
                            : tls
                                    ? ": the server accepted the TCP connection but never answered the TLS"
                                            + " handshake: " + TlsFailures.NOT_TLS + "? (is this an https:// etcd"
                                            + " client URL?)"
                                    : ": the server accepted the TCP connection but never answered in etcd's"
                                            + " protocol (gRPC over HTTP/2); is this an etcd client URL?"));
        }
        return Optional.empty();
    }

    /** {@code listener} is told (on gRPC's thread: it must only hand the news on) of definite failures. */
    void onDefiniteFailure(Runnable listener) {
        this.onDefinite = listener;
    }

    /**
     * The failure that makes the channel unusable until an operator fixes something, or empty: the
     * channel failed to connect to every endpoint (gRPC's pick_first reports a failure only once it
     * has tried them all; one member with a bad certificate while another connects is no failure),
     * and the last attempt's cause is a TLS handshake failure: a certificate not trusted, expired, not
     * yet valid or for another host, a client certificate required or refused, no protocol in common,
     * a server that expects TLS or does not speak it. Refused connections, timeouts and the like are
     * never definite. Reads two volatile fields; no I/O.
     */
    Optional<Definite> definiteFailure() {
        Definite known = definite;
        return known != null && state == ConnectivityState.TRANSIENT_FAILURE ? Optional.of(known) : Optional.empty();
    }

    /** Whether the last attempt's failure is definite, once the channel as a whole failed; tells the listener. */
    private void settle() {
        if (state != ConnectivityState.TRANSIENT_FAILURE) {
            if (state == ConnectivityState.READY) {
                definite = null;
            }
            return;
        }
        Status failure = lastFailure;
        Definite now = failure != null && definite(failure) ? new Definite(describe(failure), cause(failure)) : null;
        definite = now;
        if (now != null) {
            onDefinite.run();
        }
    }

    /** A TLS handshake failure in {@link TlsFailures}' words, or a plain client that met a TLS server. */
    private boolean definite(Status status) {
        Throwable cause = status.getCause();
        if (tls) {
            return (cause != null
                            && TlsFailures.describe(cause, clientCertificate).isPresent())
                    || String.valueOf(status.getDescription()).contains("while performing TLS negotiation");
        }
        return expectsTls && !refused(status);
    }

    private static Throwable cause(Status status) {
        return status.getCause() != null ? status.getCause() : status.asRuntimeException();
    }

    /** A failed connection attempt in words: the cause gRPC found, such as a refused connection. */
    String describe(Status status) {
        Throwable cause = status.getCause();
        if (tls && cause != null) {
            Optional<String> words = TlsFailures.describe(cause, clientCertificate);
            if (words.isPresent()) {
                return "the TLS handshake failed: " + words.get() + " (" + firstLine(rootMessage(cause)) + ")";
            }
        }
        if (tls && String.valueOf(status.getDescription()).contains("while performing TLS negotiation")) {
            // gRPC's words when the server closed the connection on the client's hello
            return "the TLS handshake failed: " + TlsFailures.NOT_TLS + " (" + status.getDescription() + ")";
        }
        if (expectsTls) {
            return TlsFailures.EXPECTS_TLS + ": the server answers TLS, so use https:// endpoints (and the"
                    + " etcd.tls block for its CA)";
        }
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

    private static String rootMessage(Throwable failure) {
        String message = String.valueOf(failure);
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
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
            settle();
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
                        subchannelState(info, subchannel);
                        listener.onSubchannelState(info);
                    });
                }
            };
        }
    }

    private void subchannelState(ConnectivityStateInfo info, LoadBalancer.Subchannel subchannel) {
        if (info.getState() == ConnectivityState.TRANSIENT_FAILURE) {
            lastFailure = info.getStatus();
            if (!tls && !refused(info.getStatus())) {
                probeForTls(subchannel);
            }
            settle(); // a later attempt while the channel stays failed (pick_first keeps it so until READY)
        } else if (info.getState() == ConnectivityState.READY) {
            lastFailure = null;
        }
    }

    private static boolean refused(Status status) {
        for (Throwable t = status.getCause(); t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Once per channel, on a thread of its own (never gRPC's): whether the server a plain connection
     * failed on answers a TLS hello. Bounded by the connect timeout.
     */
    private void probeForTls(LoadBalancer.Subchannel subchannel) {
        SocketAddress address = subchannel.getAllAddresses().stream()
                .flatMap(group -> group.getAddresses().stream())
                .findFirst()
                .orElse(null);
        if (!(address instanceof InetSocketAddress) || !probed.compareAndSet(false, true)) {
            return;
        }
        Thread probe = new Thread(
                () -> {
                    expectsTls = TlsFailures.speaksTls((InetSocketAddress) address, probeTimeout);
                    settle();
                },
                "globallock-etcd-tls-probe");
        probe.setDaemon(true);
        probe.start();
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
