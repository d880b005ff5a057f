/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Durations;
import dev.globallock.LockBackendException;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.Redaction;
import dev.globallock.spi.support.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.data.ACL;

/**
 * The one place the engine's ZooKeeper client is built: with a connect string, a Curator client with
 * the configured timeouts, retry policy, namespace, ACL provider, digest authentication and the
 * ZooKeeper client settings for SASL and TLS ({@link #clientConfig}), started and given the
 * connection timeout to connect (when it does not, each server is asked why: {@link
 * ConnectDiagnosis}); or the application's started client, used under the engine's namespace.
 */
final class ZooKeeperConnector {

    /** How long asking the servers why a connection failed may take. */
    private static final Duration DIAGNOSIS_BUDGET = Duration.ofSeconds(1);

    private ZooKeeperConnector() {}

    /**
     * The engine's connection: a client of its own, connected within the connection timeout, or the
     * given one.
     *
     * @throws LockBackendException when the ensemble cannot be reached within the connection timeout
     */
    static Connection connect(ZooKeeperEngineConfig config) {
        if (config.client().isPresent()) {
            return given(config, config.client().get());
        }
        String connect = config.connectString().orElseThrow();
        String endpoint = "zookeeper://" + describe(connect) + namespacePath(null, config.namespace());
        EngineErrors errors = EngineErrors.of("zookeeper", () -> endpoint);
        Security security = security(config, errors);
        AuthOutcome auth = new AuthOutcome();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(
                        (int) config.retryBaseSleep().toMillis(), config.retryMaxRetries(), (int)
                                config.retryMaxSleep().toMillis()))
                .namespace(config.namespace())
                .defaultData(LockPaths.NO_DATA)
                .zookeeperFactory(auth.factory(security.zk()))
                .aclProvider(aclProvider(config.acl()));
        if (config.digestUsername().isPresent()) {
            builder.authorization(
                    "digest",
                    (config.digestUsername().get() + ":"
                                    + config.digestPassword().orElseThrow().reveal())
                            .getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework opened = builder.build();
        try {
            long deadline = System.nanoTime() + config.connectionTimeout().toNanos();
            opened.start();
            boolean connected =
                    opened.blockUntilConnected((int) config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
            String authProblem = config.sasl() ? auth.awaitSasl(deadline) : null;
            if (authProblem != null) {
                throw new LockBackendException(errors.say("could not authenticate: " + authProblem + saslUser(config)
                        + " (ZooKeeper does not tell an unknown user from a wrong password)"));
            }
            if (!connected) {
                // the client only logs why each attempt failed: ask the servers once more, briefly
                String why = ConnectDiagnosis.of(
                        ConnectString.servers(connect),
                        DIAGNOSIS_BUDGET,
                        config.sessionTimeout(),
                        config.tlsSettings().orElse(null));
                throw new LockBackendException(errors.say("could not connect within the connection timeout of "
                        + Durations.format(config.connectionTimeout()) + (why.isEmpty() ? "" : ": " + why)));
            }
            return new Connection(
                    opened,
                    opened,
                    true,
                    nodeAcl(config.acl()),
                    endpoint,
                    config.connectionTimeout(),
                    security.cleanup());
        } catch (InterruptedException e) {
            Connection.closeBounded(opened, Connection.CLOSE_BOUND_AFTER_FAILURE);
            security.close();
            Thread.currentThread().interrupt();
            throw new LockBackendException(errors.say("was interrupted while connecting"), e);
        } catch (RuntimeException e) {
            Connection.closeBounded(opened, Connection.CLOSE_BOUND_AFTER_FAILURE);
            security.close();
            throw e;
        }
    }

    private static String saslUser(ZooKeeperEngineConfig config) {
        return config.saslUsername()
                .map(user -> " for user '" + user + "'")
                .orElse(" through JAAS login context '" + config.saslLoginContext() + "'");
    }

    /** The application's client, under {@code <its namespace>/<namespace>}; never closed by the engine. */
    private static Connection given(ZooKeeperEngineConfig config, CuratorFramework given) {
        if (given.getState() != CuratorFrameworkState.STARTED) {
            throw new IllegalStateException("the CuratorFramework given to the zookeeper engine must be started"
                    + " (it is " + given.getState() + ")");
        }
        String namespace = namespacePath(given.getNamespace(), config.namespace());
        String endpoint =
                "zookeeper://" + describe(given.getZookeeperClient().getCurrentConnectionString()) + namespace;
        return new Connection(
                given,
                given.usingNamespace(namespace.substring(1)),
                false,
                null,
                endpoint,
                config.connectionTimeout(),
                () -> {});
    }

    /**
     * The ZooKeeper client settings for SASL and TLS (nothing when neither is enabled), and what to
     * undo when the engine closes: a temporary key store, a JAAS login context of the engine's own.
     */
    record Security(ZKClientConfig zk, ClientKeyStore keyStore, String loginContext) {
        /** Deletes the temporary key store and removes the login context, when there are. */
        void close() {
            try {
                cleanup().close();
            } catch (Exception e) {
                // deleting a temporary file: nothing to tell the caller of a failed open
            }
        }

        AutoCloseable cleanup() {
            return () -> {
                if (loginContext != null) {
                    EngineJaas.unregister(loginContext);
                }
                if (keyStore != null) {
                    keyStore.close();
                }
            };
        }
    }

    /** The ZooKeeper client settings for SASL and TLS, as {@link #security} makes them (for tests). */
    static ZKClientConfig clientConfig(ZooKeeperEngineConfig config) {
        Security security = security(config, EngineErrors.of("zookeeper", () -> "zookeeper://"));
        security.close();
        return security.zk();
    }

    static Security security(ZooKeeperEngineConfig config, EngineErrors errors) {
        ZKClientConfig zk = new ZKClientConfig();
        zk.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, Boolean.toString(config.sasl()));
        String loginContext = null;
        if (config.sasl()) {
            String context = config.saslUsername().isPresent()
                    ? (loginContext = EngineJaas.register(
                            config.saslUsername().get(), config.saslPassword().orElseThrow()))
                    : config.saslLoginContext();
            zk.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, context);
            zk.setProperty(ZKClientConfig.ZK_SASL_CLIENT_USERNAME, config.saslServiceName());
        }
        ClientKeyStore keyStore = null;
        if (config.tls()) {
            zk.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            try (ClientX509Util x509 = new ClientX509Util()) {
                zk.setProperty(x509.getSslProtocolProperty(), "TLSv1.3");
                zk.setProperty(x509.getSslEnabledProtocolsProperty(), "TLSv1.3,TLSv1.2");
                if (config.tlsSettings().isPresent()) {
                    keyStore = tls(zk, x509, config.tlsSettings().get(), errors, loginContext);
                } else {
                    storeTls(zk, x509, config);
                }
                zk.setProperty(
                        x509.getSslHostnameVerificationEnabledProperty(),
                        Boolean.toString(config.hostnameVerification()));
            }
        }
        return new Security(zk, keyStore, loginContext);
    }

    /** TLS from the shared {@code tls} block: PEM CAs as ZooKeeper's PEM trust store, PEM keys as a temporary PKCS12. */
    private static ClientKeyStore tls(
            ZKClientConfig zk, ClientX509Util x509, TlsSettings tls, EngineErrors errors, String loginContext) {
        if (tls.caFile().isPresent()) {
            zk.setProperty(
                    x509.getSslTruststoreLocationProperty(), tls.caFile().get().toString());
            zk.setProperty(x509.getSslTruststoreTypeProperty(), "PEM");
        } else if (tls.trustStore().isPresent()) {
            zk.setProperty(
                    x509.getSslTruststoreLocationProperty(),
                    tls.trustStore().get().toString());
            tls.trustStoreType().ifPresent(type -> zk.setProperty(x509.getSslTruststoreTypeProperty(), type.name()));
            tls.trustStorePassword()
                    .ifPresent(secret -> zk.setProperty(x509.getSslTruststorePasswdProperty(), secret.reveal()));
        }
        if (tls.keyStore().isPresent()) {
            zk.setProperty(
                    x509.getSslKeystoreLocationProperty(), tls.keyStore().get().toString());
            tls.keyStoreType().ifPresent(type -> zk.setProperty(x509.getSslKeystoreTypeProperty(), type.name()));
            tls.keyStorePassword()
                    .ifPresent(secret -> zk.setProperty(x509.getSslKeystorePasswdProperty(), secret.reveal()));
        } else if (tls.certFile().isPresent() && tls.keyManager().isPresent()) {
            try {
                ClientKeyStore keyStore = ClientKeyStore.write(tls.keyManager().get());
                zk.setProperty(
                        x509.getSslKeystoreLocationProperty(), keyStore.file().toString());
                zk.setProperty(x509.getSslKeystoreTypeProperty(), "PKCS12");
                zk.setProperty(x509.getSslKeystorePasswdProperty(), keyStore.password());
                return keyStore;
            } catch (IOException | GeneralSecurityException e) {
                if (loginContext != null) {
                    EngineJaas.unregister(loginContext);
                }
                throw new LockBackendException(
                        errors.say("could not write the client certificate as a temporary key store for ZooKeeper's"
                                + " client: " + e.getClass().getSimpleName()),
                        e);
            }
        }
        return null;
    }

    /** TLS from the builder's trust and key stores, handed to ZooKeeper's client as they are. */
    private static void storeTls(ZKClientConfig zk, ClientX509Util x509, ZooKeeperEngineConfig config) {
        ZooKeeperSecurity.StoreSecrets stores = config.storeSecrets();
        config.trustStore().ifPresent(path -> zk.setProperty(x509.getSslTruststoreLocationProperty(), path.toString()));
        if (stores.trustStorePassword() != null) {
            zk.setProperty(
                    x509.getSslTruststorePasswdProperty(),
                    stores.trustStorePassword().reveal());
        }
        if (stores.trustStoreType() != null) {
            zk.setProperty(x509.getSslTruststoreTypeProperty(), stores.trustStoreType());
        }
        config.keyStore().ifPresent(path -> zk.setProperty(x509.getSslKeystoreLocationProperty(), path.toString()));
        if (stores.keyStorePassword() != null) {
            zk.setProperty(
                    x509.getSslKeystorePasswdProperty(),
                    stores.keyStorePassword().reveal());
        }
        if (stores.keyStoreType() != null) {
            zk.setProperty(x509.getSslKeystoreTypeProperty(), stores.keyStoreType());
        }
    }

    /** The ACL of the lock nodes (and their parents) the engine creates. */
    private static List<ACL> nodeAcl(ZooKeeperEngineConfig.Acl acl) {
        return acl == ZooKeeperEngineConfig.Acl.OPEN ? ZooDefs.Ids.OPEN_ACL_UNSAFE : ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    private static ACLProvider aclProvider(ZooKeeperEngineConfig.Acl acl) {
        if (acl == ZooKeeperEngineConfig.Acl.OPEN) {
            return new DefaultACLProvider();
        }
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }
        };
    }

    /** The connect string without anything that could be a credential (ZooKeeper has none inline). */
    private static String describe(String connectString) {
        return connectString == null ? "<unknown>" : Redaction.userInfo(connectString);
    }

    private static String namespacePath(String clientNamespace, String namespace) {
        return ZKPaths.makePath(clientNamespace == null ? "" : clientNamespace, namespace);
    }
}
