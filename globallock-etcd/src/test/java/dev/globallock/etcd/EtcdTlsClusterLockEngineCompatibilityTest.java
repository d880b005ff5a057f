/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.EtcdCluster;
import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The contract kit against a real 3-member etcd cluster that speaks TLS only (between members too),
 * requires client certificates ({@code --client-cert-auth}) and has authentication on: the engine
 * presents the client certificate and logs in as user {@code app} with a password.
 */
@DisplayName("etcd engine, 3-member cluster with mutual TLS and a password: the lock contract")
class EtcdTlsClusterLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static final String ROOT_PASSWORD = "root-pw-Secret-1";
    private static final String APP_PASSWORD = "app-pw-Secret-2";
    private static final TestCertificates certs = TestCertificates.get();
    private static EtcdCluster cluster;
    private static Client admin;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EtcdCluster.start(
                3,
                EtcdServer.Options.builder()
                        .tls(ServerTls.of(ClientAuth.REQUIRED))
                        .withAuth(ROOT_PASSWORD)
                        .user(TestCertificates.CLIENT_NAME, APP_PASSWORD)
                        .build());
        admin = Client.builder()
                .endpoints(cluster.endpoints().toArray(new String[0]))
                .user(ByteSequence.from("root", StandardCharsets.UTF_8))
                .password(ByteSequence.from(ROOT_PASSWORD, StandardCharsets.UTF_8))
                .sslContext(ssl -> ssl.trustManager(certs.caFile().toFile())
                        .keyManager(
                                certs.client().certFile().toFile(),
                                certs.client().keyFile().toFile()))
                .build();
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of(
                "engine",
                "etcd",
                "etcd",
                Map.of(
                        "endpoints",
                        cluster.endpoints(),
                        "user",
                        TestCertificates.CLIENT_NAME,
                        "password",
                        APP_PASSWORD,
                        "tls",
                        Map.of(
                                "ca-file", certs.caFile().toString(),
                                "cert-file", certs.client().certFile().toString(),
                                "key-file", certs.client().keyFile().toString()),
                        "connect-timeout",
                        "1s",
                        "request-timeout",
                        "2s"));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return EtcdTesting.unreachableConfig(FreePorts.next());
    }

    @Override
    protected void forgetOnBackend(String key) throws Exception {
        EtcdTesting.revokeLeasesUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, key);
    }

    @Override
    protected Duration shortLease() {
        return EtcdLockEngine.MINIMUM_LEASE;
    }
}
