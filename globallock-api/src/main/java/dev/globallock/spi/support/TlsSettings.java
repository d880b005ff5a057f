/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@code tls} block every engine shares, read from its section ({@code redis.tls}, {@code
 * etcd.tls}, {@code zookeeper.tls}) and loaded at once, so that a missing file, a PEM file without a
 * certificate or a store whose password does not open it is a configuration problem reported at
 * load time, never a handshake failure later:
 *
 * <pre>{@code
 * tls:
 *   enabled: true                    # implied by rediss:// or https:// endpoints, or by any key below
 *   ca-file: /etc/ssl/ca.pem         # PEM; trust these CAs instead of the JVM's default ones
 *   cert-file: /etc/ssl/client.pem   # client certificate (PEM, may hold its chain), with key-file
 *   key-file: /etc/ssl/client-key.pem   # PKCS#8, PKCS#1 RSA or SEC1 EC PEM, unencrypted
 *   trust-store: /etc/ssl/trust.p12  # instead of ca-file: PKCS12 or JKS
 *   trust-store-password: ...        # or trust-store-password-file (a trust store may have none)
 *   trust-store-type: pkcs12         # pkcs12 | jks; default from the file name (.jks: jks)
 *   key-store: /etc/ssl/client.p12   # instead of cert-file/key-file: PKCS12 or JKS
 *   key-store-password: ...          # or key-store-password-file; also the key's password
 *   key-store-type: pkcs12
 *   hostname-verification: true      # check the server certificate names the host connected to
 * }</pre>
 *
 * <p>Problems are recorded in the section, each as {@code <key> was '<value>' but <reason>}, and
 * thrown together by {@link ConfigSection#validate()}; passwords and the content of files are
 * never shown. The engine calls {@code validate()} before it uses the settings.
 *
 * <p>What engines take from it: a ready {@link #sslContext()} with {@link #sslParameters()} (JSSE
 * sockets, e.g. Jedis), the {@link #trustManager()} and {@link #keyManager()} (Netty's {@code
 * SslContextBuilder}, e.g. jetcd through gRPC), or the files, types and passwords themselves
 * (ZooKeeper's {@code ZKClientConfig}). The trust manager checks host names when the caller asks
 * for it (endpoint identification {@code HTTPS}, as {@link #sslParameters()}, gRPC and Netty 4.2
 * do), and never when {@code hostname-verification} is false, whatever the caller asks.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsSettings {

    /** The formats of {@code trust-store} and {@code key-store}. */
    public enum StoreType {
        PKCS12,
        JKS
    }

    private static final TlsSettings DISABLED = new TlsSettings(new Loaded());

    private final boolean enabled;
    private final boolean hostnameVerification;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final Path trustStore;
    private final StoreType trustStoreType;
    private final Secret trustStorePassword;
    private final Path keyStore;
    private final StoreType keyStoreType;
    private final Secret keyStorePassword;
    private final X509ExtendedTrustManager trustManager;
    private final X509ExtendedKeyManager keyManager;
    private final SSLContext sslContext;

    TlsSettings(Loaded loaded) {
        this.enabled = loaded.enabled;
        this.hostnameVerification = loaded.hostnameVerification;
        this.caFile = loaded.caFile;
        this.certFile = loaded.certFile;
        this.keyFile = loaded.keyFile;
        this.trustStore = loaded.trustStore;
        this.trustStoreType = loaded.trustStoreType;
        this.trustStorePassword = loaded.trustStorePassword;
        this.keyStore = loaded.keyStore;
        this.keyStoreType = loaded.keyStoreType;
        this.keyStorePassword = loaded.keyStorePassword;
        this.trustManager = loaded.trustManager;
        this.keyManager = loaded.keyManager;
        this.sslContext = loaded.sslContext;
    }

    /** TLS off. */
    public static TlsSettings disabled() {
        return DISABLED;
    }

    /**
     * Reads and loads the {@code tls} section. TLS is on when {@code enabled} says so, else when the
     * endpoints ask for it ({@code impliedByEndpoints}: {@code rediss://}, {@code https://}) or any
     * other key of the section is set. Files are read now; every problem is recorded in {@code tls}.
     *
     * @param tls the engine's {@code tls} section, e.g. {@code section.section("tls")}
     * @param impliedByEndpoints whether the engine's endpoints use a TLS scheme
     */
    public static TlsSettings read(ConfigSection tls, boolean impliedByEndpoints) {
        return TlsSettingsReader.read(tls, impliedByEndpoints);
    }

    /** Whether TLS is on. */
    public boolean enabled() {
        return enabled;
    }

    /** Whether the server certificate must name the host connected to (default true). */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** Whether a client certificate is configured (PEM files or a key store). */
    public boolean hasClientCertificate() {
        return certFile != null || keyStore != null;
    }

    /** Whether trusted CAs are configured (else the JVM's default CAs are trusted). */
    public boolean hasTrustedCas() {
        return caFile != null || trustStore != null;
    }

    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    public Optional<Path> certFile() {
        return Optional.ofNullable(certFile);
    }

    public Optional<Path> keyFile() {
        return Optional.ofNullable(keyFile);
    }

    public Optional<Path> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    /** The trust store's type, given or from its name; present when a trust store is. */
    public Optional<StoreType> trustStoreType() {
        return Optional.ofNullable(trustStoreType);
    }

    /** From {@code trust-store-password} or {@code trust-store-password-file}. */
    public Optional<Secret> trustStorePassword() {
        return Optional.ofNullable(trustStorePassword);
    }

    public Optional<Path> keyStore() {
        return Optional.ofNullable(keyStore);
    }

    /** The key store's type, given or from its name; present when a key store is. */
    public Optional<StoreType> keyStoreType() {
        return Optional.ofNullable(keyStoreType);
    }

    /** From {@code key-store-password} or {@code key-store-password-file}. */
    public Optional<Secret> keyStorePassword() {
        return Optional.ofNullable(keyStorePassword);
    }

    /**
     * The context for JSSE sockets: the configured (or the JVM's default) trust, and the client
     * certificate when one is configured. Use it with {@link #sslParameters()}.
     *
     * @throws IllegalStateException when TLS is off or the settings had problems (validate the section first)
     */
    public SSLContext sslContext() {
        return loadedOrThrow(sslContext);
    }

    /** {@link #sslContext()}'s socket factory (Jedis's {@code sslSocketFactory}). */
    public SSLSocketFactory socketFactory() {
        return sslContext().getSocketFactory();
    }

    /**
     * New parameters for a client socket or engine: endpoint identification {@code HTTPS} (the
     * server certificate must name the host connected to) when host names are verified, none
     * otherwise. Each call returns a new object.
     */
    public SSLParameters sslParameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm(hostnameVerification ? "HTTPS" : null);
        return parameters;
    }

    /**
     * The trust manager: the configured CAs (or the JVM's default ones); it checks the host name when
     * the caller sets endpoint identification and host names are verified, and never when {@code
     * hostname-verification} is false.
     *
     * @throws IllegalStateException when TLS is off or the settings had problems
     */
    public X509ExtendedTrustManager trustManager() {
        return loadedOrThrow(trustManager);
    }

    /**
     * The key manager presenting the client certificate, when one is configured.
     *
     * @throws IllegalStateException when TLS is off or the settings had problems
     */
    public Optional<X509ExtendedKeyManager> keyManager() {
        loadedOrThrow(sslContext);
        return Optional.ofNullable(keyManager);
    }

    private <T> T loadedOrThrow(T value) {
        if (!enabled) {
            throw new IllegalStateException("TLS is not enabled");
        }
        if (value == null) {
            throw new IllegalStateException(
                    "the TLS settings could not be loaded: validate the configuration section before using them");
        }
        return value;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "TlsSettings{disabled}";
        }
        StringBuilder text = new StringBuilder("TlsSettings{enabled");
        if (caFile != null) {
            text.append(", ca-file=").append(caFile);
        }
        if (trustStore != null) {
            text.append(", trust-store=")
                    .append(trustStore)
                    .append(" (")
                    .append(name(trustStoreType))
                    .append(')');
        }
        if (certFile != null) {
            text.append(", cert-file=").append(certFile).append(", key-file=").append(keyFile);
        }
        if (keyStore != null) {
            text.append(", key-store=")
                    .append(keyStore)
                    .append(" (")
                    .append(name(keyStoreType))
                    .append(')');
        }
        return text.append(", hostname-verification=")
                .append(hostnameVerification)
                .append('}')
                .toString();
    }

    private static String name(StoreType type) {
        return type == null ? "?" : type.name().toLowerCase(Locale.ROOT);
    }

    /** What {@link #read} loads, gathered before the immutable settings are made. */
    static final class Loaded {
        boolean enabled;
        boolean hostnameVerification = true;
        Path caFile;
        Path certFile;
        Path keyFile;
        Path trustStore;
        StoreType trustStoreType;
        Secret trustStorePassword;
        Path keyStore;
        StoreType keyStoreType;
        Secret keyStorePassword;
        X509ExtendedTrustManager trustManager;
        X509ExtendedKeyManager keyManager;
        SSLContext sslContext;
    }
}
