/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.LockBackendException;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.TlsSettings;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;

/**
 * The engine's jetcd client: the one place a client is built from the configuration (endpoints,
 * timeouts, keep-alive, authentication, TLS), with what the engine adds to its own client: {@link
 * EtcdChannelState} to see the connection, {@link EtcdDeadlines} on every call, and {@link
 * EtcdDirectKv} for the hot requests. Or the client an application supplied, which the engine
 * uses as it is and never closes. Building does no I/O: the first request connects.
 */
final class EtcdConnection {
    final Client client;
    /** Whether the engine built the client (then it closes it). */
    final boolean owned;
    /** The state of the own client's channel; null with an application's client, whose channel is its own. */
    private final EtcdChannelState channelState;
    /** The hot requests' own path on the engine's client; null with an application's client or user/password. */
    private final EtcdDirectKv directKv;

    private final Duration connectTimeout;
    /** The user the own client authenticates as; null without one, or with an application's client. */
    final String user;

    private EtcdConnection(
            Client client,
            boolean owned,
            EtcdChannelState channelState,
            EtcdDirectKv directKv,
            Duration connectTimeout,
            String user) {
        this.client = client;
        this.user = user;
        this.owned = owned;
        this.channelState = channelState;
        this.directKv = directKv;
        this.connectTimeout = connectTimeout;
    }

    /**
     * The configuration's client, or one built from it.
     *
     * @throws LockBackendException when the TLS files cannot be read
     */
    static EtcdConnection open(EtcdEngineConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.client().isPresent()) {
            return new EtcdConnection(config.client().get(), false, null, null, config.connectTimeout(), null);
        }
        // jetcd attaches a user's token per call, which the direct path would have to repeat
        EtcdDirectKv directKv = config.user().isEmpty() ? new EtcdDirectKv(config.requestTimeout()) : null;
        EtcdChannelState channelState = new EtcdChannelState(
                config.tls(), config.tls() && config.tlsSettings().hasClientCertificate(), config.connectTimeout());
        channelState.register();
        try {
            return new EtcdConnection(
                    build(config, channelState, directKv),
                    true,
                    channelState,
                    directKv,
                    config.connectTimeout(),
                    config.user().orElse(null));
        } catch (RuntimeException e) {
            channelState.deregister();
            throw e;
        }
    }

    private static Client build(EtcdEngineConfig config, EtcdChannelState channelState, EtcdDirectKv directKv) {
        ClientBuilder builder = Client.builder().loadBalancerPolicy(channelState.policy());
        config.tlsAuthority().ifPresent(builder::authority);
        builder.endpoints(config.endpoints())
                .connectTimeout(config.connectTimeout())
                .keepaliveTime(config.keepaliveTime())
                .keepaliveTimeout(config.keepaliveTimeout())
                .keepaliveWithoutCalls(true)
                .retryMaxDuration(config.requestTimeout())
                // jetcd hands every unary call to its executor before writing it to the channel: writing
                // never blocks, so the thread that asks writes it (no thread hand-over per call)
                .executorService(CallerRunsPolicy.callingThread())
                .interceptor(new EtcdDeadlines(config.requestTimeout()));
        if (directKv != null) {
            builder.interceptor(directKv);
        }
        if (config.user().isPresent()) {
            builder.user(EtcdKeys.bytes(config.user().get()))
                    .password(EtcdKeys.bytes(config.password().orElseThrow().reveal()));
        }
        if (config.tls()) {
            tls(builder, config);
        }
        return builder.build();
    }

    /**
     * TLS from the loaded settings: their trust manager (the configured CAs or the JVM's; host names
     * checked as gRPC asks, unless hostname-verification is off) and the client certificate if any.
     */
    private static void tls(ClientBuilder builder, EtcdEngineConfig config) {
        TlsSettings tls = config.tlsSettings();
        try {
            builder.sslContext(ssl -> {
                ssl.trustManager(tls.trustManager());
                tls.keyManager().ifPresent(ssl::keyManager);
            });
        } catch (SSLException | RuntimeException e) {
            throw new LockBackendException(
                    EngineErrors.of("etcd", config::describeEndpoints)
                            .say("could not set up TLS from " + tls + ": " + e.getMessage()),
                    e);
        }
    }

    /** The direct path for the hot requests, once it is ready; otherwise null (use jetcd's KV client). */
    EtcdDirectKv directKv() {
        EtcdDirectKv direct = directKv;
        return direct != null && direct.ready() ? direct : null;
    }

    /** Requests sent on the direct path so far (0 without one): for tests. */
    long directRequestsSent() {
        return directKv == null ? 0 : directKv.requestsSent();
    }

    /** From now on, the channel's times are read from the engine's clock. */
    void useClock(LongSupplier clock) {
        if (channelState != null) {
            channelState.useClock(clock);
        }
    }

    /**
     * What the own client's channel knows: it fails to connect (the cause: refused, not an etcd
     * port, TLS…), or has been connecting for longer than the connect timeout. Empty with an
     * application's client, whose channel the engine cannot see.
     */
    Optional<String> problem() {
        return channelState == null ? Optional.empty() : channelState.problem(connectTimeout);
    }

    /**
     * The failure that makes the own client's channel unusable until an operator fixes something (a
     * TLS handshake failure on every endpoint, see {@link EtcdChannelState#definiteFailure()}), or
     * empty; always empty with an application's client. No I/O.
     */
    Optional<EtcdChannelState.Definite> definiteFailure() {
        return channelState == null ? Optional.empty() : channelState.definiteFailure();
    }

    /** {@code listener} is told, on gRPC's thread, when the own client's channel notes a definite failure. */
    void onDefiniteFailure(Runnable listener) {
        if (channelState != null) {
            channelState.onDefiniteFailure(listener);
        }
    }

    /** Closes the client the engine built; an application's client stays open. */
    void close() {
        if (owned) {
            client.close();
            channelState.deregister();
        }
    }
}
