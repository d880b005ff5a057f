/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Secret;
import dev.globallock.spi.support.TlsSettings;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * How the engine's own client proves who it is and protects the connection: digest or SASL
 * authentication and TLS, the part of {@link ZooKeeperEngineConfig} that holds secrets. The config
 * answers for it through its accessors and its builder's setters, which delegate to {@link Builder}
 * (each check here, once). Immutable and thread-safe; its secrets are {@link Secret}s, never shown.
 */
final class ZooKeeperSecurity {
    final String digestUsername;
    final Secret digestPassword;
    final boolean sasl;
    final String saslLoginContext;
    final String saslServiceName;
    final String saslUsername;
    final Secret saslPassword;
    final boolean tls;
    final TlsSettings tlsSettings;
    final Path trustStore;
    final Path keyStore;
    final boolean hostnameVerification;
    private final StoreSecrets storeSecrets;

    /** The passwords and types of the trust store and the key store, each possibly null. */
    record StoreSecrets(
            Secret trustStorePassword, String trustStoreType, Secret keyStorePassword, String keyStoreType) {}

    private ZooKeeperSecurity(Builder b) {
        this.digestUsername = b.digestUsername;
        this.digestPassword = b.digestPassword;
        this.sasl = b.sasl != null && b.sasl;
        this.saslLoginContext =
                b.saslLoginContext != null ? b.saslLoginContext : ZKClientConfig.LOGIN_CONTEXT_NAME_KEY_DEFAULT;
        this.saslServiceName =
                b.saslServiceName != null ? b.saslServiceName : ZKClientConfig.ZK_SASL_CLIENT_USERNAME_DEFAULT;
        this.tls = b.tls != null && b.tls;
        this.saslUsername = b.saslUsername;
        this.saslPassword = b.saslPassword;
        this.tlsSettings = b.tlsSettings;
        this.trustStore = b.trustStore;
        this.keyStore = b.keyStore;
        this.storeSecrets =
                new StoreSecrets(b.trustStorePassword, b.trustStoreType, b.keyStorePassword, b.keyStoreType);
        this.hostnameVerification = b.tlsSettings != null
                ? b.tlsSettings.hostnameVerification()
                : b.hostnameVerification == null || b.hostnameVerification;
    }

    StoreSecrets storeSecrets() {
        return storeSecrets;
    }

    /** Appends what is on, for the config's {@code toString()}: user names, never a secret. */
    void describeTo(StringBuilder text) {
        if (digestUsername != null) {
            text.append(", digest=").append(digestUsername).append(":******");
        }
        if (sasl) {
            text.append(", sasl=").append(saslUsername != null ? "user " + saslUsername : saslLoginContext);
        }
        if (tls) {
            text.append(", tls");
        }
    }

    /**
     * The security half of {@link ZooKeeperEngineConfig.Builder}: each setter checks its value and
     * that it was not set before (messages as the public builder documents). Not thread-safe.
     */
    static final class Builder {
        private String digestUsername;
        private Secret digestPassword;
        private Boolean sasl;
        private String saslLoginContext;
        private String saslServiceName;
        private Boolean tls;
        private Path trustStore;
        private Secret trustStorePassword;
        private String trustStoreType;
        private Path keyStore;
        private Secret keyStorePassword;
        private String keyStoreType;
        private Boolean hostnameVerification;
        private String saslUsername;
        private Secret saslPassword;
        private TlsSettings tlsSettings;

        void digest(String username, Secret password) {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            ZooKeeperConfigRules.once(this.digestUsername, "digest authentication");
            String problem = ZooKeeperConfigRules.usernameProblem(username);
            if (problem != null) {
                throw new IllegalArgumentException("digest user name was '" + username + "' but " + problem);
            }
            this.digestUsername = username;
            this.digestPassword = password;
        }

        void sasl(String loginContext, String serviceName) {
            Objects.requireNonNull(loginContext, "loginContext");
            Objects.requireNonNull(serviceName, "serviceName");
            ZooKeeperConfigRules.once(this.sasl, "sasl");
            if (loginContext.isBlank() || serviceName.isBlank()) {
                throw new IllegalArgumentException("SASL login context and service name must not be blank");
            }
            this.sasl = true;
            this.saslLoginContext = loginContext;
            this.saslServiceName = serviceName;
        }

        void saslUser(String username, Secret password, String serviceName) {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(serviceName, "serviceName");
            ZooKeeperConfigRules.once(this.sasl, "sasl");
            String problem = ZooKeeperConfigRules.usernameProblem(username);
            if (problem != null) {
                throw new IllegalArgumentException("SASL user name was '" + username + "' but " + problem);
            }
            if (serviceName.isBlank()) {
                throw new IllegalArgumentException("SASL service name must not be blank");
            }
            this.sasl = true;
            this.saslUsername = username;
            this.saslPassword = password;
            this.saslServiceName = serviceName;
        }

        void tls(TlsSettings settings) {
            Objects.requireNonNull(settings, "settings");
            ZooKeeperConfigRules.once(this.tls, "tls");
            this.tls = settings.enabled();
            this.tlsSettings = settings.enabled() ? settings : null;
        }

        void tls(Path trustStore, Secret trustStorePassword, String trustStoreType) {
            ZooKeeperConfigRules.once(this.tls, "tls");
            this.tls = true;
            this.trustStore = trustStore;
            this.trustStorePassword = trustStorePassword;
            this.trustStoreType = trustStoreType;
        }

        void tlsKeyStore(Path keyStore, Secret keyStorePassword, String keyStoreType) {
            Objects.requireNonNull(keyStore, "keyStore");
            ZooKeeperConfigRules.once(this.keyStore, "tls key store");
            this.keyStore = keyStore;
            this.keyStorePassword = keyStorePassword;
            this.keyStoreType = keyStoreType;
        }

        void hostnameVerification(boolean verify) {
            ZooKeeperConfigRules.once(this.hostnameVerification, "hostname verification");
            this.hostnameVerification = verify;
        }

        /** Whether authentication (digest or SASL) or TLS was set: connection settings of a client. */
        boolean anySet() {
            return digestUsername != null || sasl != null || tls != null;
        }

        /** Whether an identity is authenticated (digest or SASL), as a creator-only ACL needs. */
        boolean authenticates() {
            return digestUsername != null || sasl != null;
        }

        /** The settings checked together. */
        ZooKeeperSecurity build() {
            if ((keyStore != null || hostnameVerification != null) && (tls == null || tlsSettings != null)) {
                throw new IllegalStateException(
                        tls == null
                                ? (keyStore != null ? "a TLS key store" : "hostname verification")
                                        + " was set but TLS is not enabled"
                                : "the TLS settings were given whole: set the key store and hostname verification in them");
            }
            return new ZooKeeperSecurity(this);
        }
    }
}
