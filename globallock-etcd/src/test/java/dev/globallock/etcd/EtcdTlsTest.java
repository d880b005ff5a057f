/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.TlsSettings;
import dev.globallock.tck.fixture.CapturedOutput;
import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine connects, locks and unlocks over TLS against real etcd servers: mutual TLS (etcd's
 * {@code --client-cert-auth}, the certificate's CN as the etcd user), mutual TLS with user and
 * password, PKCS12 stores with password files, and user/password over server-only TLS. With a
 * password the hot requests go through jetcd (it attaches the user's token per call); without one
 * they take the direct path on the TLS channel.
 */
@DisplayName("etcd engine: TLS and authentication")
class EtcdTlsTest {
    private static final String ROOT_PASSWORD = "root-pw-Secret-1";
    private static final String APP_PASSWORD = "app-pw-Secret-2";
    private static final String APP = TestCertificates.CLIENT_NAME;

    private static final TestCertificates certs = TestCertificates.get();
    /** TLS, client certificates required, authentication on with user app. */
    private static EtcdServer mutual;
    /** TLS without client certificates, authentication on with user app. */
    private static EtcdServer serverOnly;

    @BeforeAll
    static void startServers() {
        mutual = EtcdServer.start(EtcdServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.REQUIRED))
                .withAuth(ROOT_PASSWORD)
                .user(APP, APP_PASSWORD)
                .build());
        serverOnly = EtcdServer.start(EtcdServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.NONE))
                .withAuth(ROOT_PASSWORD)
                .user(APP, APP_PASSWORD)
                .build());
    }

    @AfterAll
    static void stopServers() {
        if (mutual != null) {
            mutual.close();
        }
        if (serverOnly != null) {
            serverOnly.close();
        }
    }

    @Test
    @DisplayName("mutual TLS with PEM files: the certificate is the user; the direct path runs on the TLS channel")
    void mutualTlsPem() {
        Map<String, Object> tls = pemTls();
        EtcdLockEngine engine = EtcdLockEngine.open(EtcdConfigReader.read(section(mutual, tls, Map.of())));
        assertThat(engine.toString()).contains(mutual.endpoint());
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(engine).build()) {
            lockAndUnlock(locks);
            assertThat(engine.directRequestsSent())
                    .as("acquire and release went direct")
                    .isPositive();
        }
    }

    @Test
    @DisplayName("mutual TLS with user and password: locks work through jetcd, never the direct path")
    void mutualTlsWithPassword() {
        EtcdLockEngine engine = EtcdLockEngine.open(
                EtcdConfigReader.read(section(mutual, pemTls(), Map.of("username", APP, "password", APP_PASSWORD))));
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(engine).build()) {
            lockAndUnlock(locks);
            assertThat(engine.directRequestsSent())
                    .as("the token is attached by jetcd")
                    .isZero();
        }
    }

    @Test
    @DisplayName("mutual TLS with PKCS12 stores and every password from a file")
    void mutualTlsStoresAndPasswordFiles(@TempDir Path dir) throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("etcd-password"), APP_PASSWORD + "\n");
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put(
                "trust-store",
                certs.trustStore(TestCertificates.StoreType.PKCS12).toString());
        tls.put("trust-store-password-file", certs.storePasswordFile().toString());
        tls.put(
                "key-store",
                certs.client().keyStore(TestCertificates.StoreType.PKCS12).toString());
        tls.put("key-store-password-file", certs.storePasswordFile().toString());
        Map<String, Object> etcd = Map.of(
                "endpoints",
                List.of(mutual.endpoint()),
                "user",
                APP,
                "password-file",
                passwordFile.toString(),
                "tls",
                tls);
        try (CapturedOutput output = CapturedOutput.start()) {
            EtcdEngineConfig config = EtcdConfigReader.read(ConfigSection.of("etcd", etcd));
            EtcdLockEngine engine = EtcdLockEngine.open(config);
            try (GlobalLockManager locks =
                    GlobalLockManager.builder().engine(engine).build()) {
                lockAndUnlock(locks);
                assertThat(config + " " + engine + " " + locks)
                        .contains("key-store=")
                        .doesNotContain(APP_PASSWORD)
                        .doesNotContain(certs.storePassword());
            }
            assertThat(output.text()).doesNotContain(APP_PASSWORD).doesNotContain(certs.storePassword());
        }
    }

    @Test
    @DisplayName("user and password over server-only TLS, configured in code with TlsSettings")
    void passwordOverTls() {
        ConfigSection tls =
                ConfigSection.of("etcd.tls", Map.of("ca-file", certs.caFile().toString()));
        TlsSettings settings = TlsSettings.read(tls, true);
        tls.validate();
        EtcdEngineConfig config = EtcdEngineConfig.builder()
                .endpoints(serverOnly.endpoint())
                .user(APP)
                .password(Secret.of(APP_PASSWORD))
                .tls(settings)
                .build();
        assertThat(config.toString()).contains("ca-file=").doesNotContain(APP_PASSWORD);
        EtcdLockEngine engine = EtcdLockEngine.open(config);
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(engine).build()) {
            lockAndUnlock(locks);
            assertThat(engine.directRequestsSent()).isZero();
        }
    }

    @Test
    @DisplayName("the older builder calls tlsCaFile and tlsClientCertificate still configure mutual TLS")
    void olderBuilderCalls() {
        EtcdEngineConfig config = EtcdEngineConfig.builder()
                .endpoints(mutual.endpoint())
                .tlsCaFile(certs.caFile())
                .tlsClientCertificate(certs.client().certFile(), certs.client().keyFile())
                .build();
        assertThat(config.tls()).isTrue();
        assertThat(config.tlsSettings().hasClientCertificate()).isTrue();
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(EtcdLockEngine.open(config)).build()) {
            lockAndUnlock(locks);
        }
    }

    private static void lockAndUnlock(GlobalLockManager locks) {
        LockHandle held = locks.lock("tls/report");
        assertThat(CompletableFuture.supplyAsync(
                                () -> locks.tryLock("tls/report").isLocked())
                        .join())
                .as("another thread finds it held")
                .isFalse();
        held.release();
        locks.lock("tls/report").release();
    }

    private static Map<String, Object> pemTls() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", certs.caFile().toString());
        tls.put("cert-file", certs.client().certFile().toString());
        tls.put("key-file", certs.client().keyFile().toString());
        return tls;
    }

    private static ConfigSection section(EtcdServer server, Map<String, Object> tls, Map<String, Object> auth) {
        Map<String, Object> etcd = new LinkedHashMap<>(auth);
        etcd.put("endpoints", List.of(server.endpoint()));
        etcd.put("tls", tls);
        return ConfigSection.of("etcd", etcd);
    }
}
