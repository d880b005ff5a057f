/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.tck.fixture.TestCertificates;
import dev.globallock.tck.fixture.TestCertificates.StoreType;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

/** Configurations and clients of the TLS and authentication tests. */
final class ZooKeeperTls {
    static final String USER = TestCertificates.CLIENT_NAME;
    static final String PASSWORD = "app-pw-1";

    private ZooKeeperTls() {}

    static TestCertificates certs() {
        return TestCertificates.get();
    }

    /**
     * The session timeout of the TLS tests: ZooKeeper's client gives each connection attempt the
     * session timeout (and drops one silent for two thirds of it), which must hold a TLS handshake
     * on a busy machine.
     */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

    /** The engine's section for a server: connect string, timeouts, and {@code more}. */
    static Map<String, Object> section(ZooKeeperServer server, Map<String, Object> more) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("connect-string", server.connectString());
        section.put("session-timeout", SESSION_TIMEOUT.toMillis() + "ms");
        section.put("connection-timeout", "10s");
        section.putAll(more);
        return section;
    }

    static Map<String, Object> config(Map<String, Object> section) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", "zookeeper");
        config.put("zookeeper", section);
        return config;
    }

    /** {@code tls:} trusting the test CA (PEM), with the client certificate as PEM files when {@code mutual}. */
    static Map<String, Object> pemTls(boolean mutual) {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", certs().caFile().toString());
        if (mutual) {
            tls.put("cert-file", certs().client().certFile().toString());
            tls.put("key-file", certs().client().keyFile().toString());
        }
        return tls;
    }

    /** {@code tls:} with PKCS12 trust and key stores, their password from a file. */
    static Map<String, Object> storeTls() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("trust-store", certs().trustStore(StoreType.PKCS12).toString());
        tls.put("trust-store-password-file", certs().storePasswordFile().toString());
        tls.put("key-store", certs().client().keyStore(StoreType.PKCS12).toString());
        tls.put("key-store-password-file", certs().storePasswordFile().toString());
        return tls;
    }

    static Map<String, Object> digest(String user, String password) {
        return Map.of("username", user, "password", password);
    }

    /**
     * A started client on the engine's namespace over mutual TLS, authenticated as the digest user,
     * for looking at and breaking lock nodes that only that user may touch.
     */
    static CuratorFramework observer(ZooKeeperServer server, String digestUser, String digestPassword) {
        ZKClientConfig zk = new ZKClientConfig();
        zk.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        if (server.options().tls().isPresent()) {
            zk.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            try (ClientX509Util x509 = new ClientX509Util()) {
                zk.setProperty(
                        x509.getSslTruststoreLocationProperty(),
                        certs().trustStore(StoreType.PKCS12).toString());
                zk.setProperty(x509.getSslTruststorePasswdProperty(), certs().storePassword());
                zk.setProperty(x509.getSslTruststoreTypeProperty(), "PKCS12");
                zk.setProperty(
                        x509.getSslKeystoreLocationProperty(),
                        certs().client().keyStore(StoreType.PKCS12).toString());
                zk.setProperty(x509.getSslKeystorePasswdProperty(), certs().storePassword());
                zk.setProperty(x509.getSslKeystoreTypeProperty(), "PKCS12");
            }
        }
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(server.connectString())
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 1000))
                .namespace(ZooKeeperEngineConfig.DEFAULT_NAMESPACE)
                .zkClientConfig(zk);
        if (digestUser != null) {
            builder.authorization("digest", (digestUser + ":" + digestPassword).getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = builder.build();
        client.start();
        try {
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
                client.close();
                throw new IllegalStateException("observer could not connect to " + server);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IllegalStateException(e);
        }
        return client;
    }
}
