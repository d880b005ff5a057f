/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.spi.ConfigSection;
import dev.globallock.tck.fixture.CapturedOutput;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The secrets of the TLS and authentication setups never show: the temporary PKCS12 key store's
 * random password (nowhere but in ZooKeeper's client settings), the store, digest and SASL
 * passwords in {@code toString()} and the logs; the temporary key store is owner-only and deleted
 * when the engine closes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("zookeeper engine: TLS and authentication secrets are never shown")
class ZooKeeperTlsSecretsAreNotShownTest {
    private static final String DIGEST_PASSWORD = "dig-s3cret-7";

    @Test
    @DisplayName("the temporary PKCS12 of a PEM client certificate: owner-only, its password nowhere, deleted at close")
    void temporaryKeyStore() throws Exception {
        try (ZooKeeperServer server = ZooKeeperServer.start(ZooKeeperServer.Options.builder()
                        .tls(ServerTls.of(ClientAuth.REQUIRED))
                        .build());
                CapturedOutput output = CapturedOutput.start()) {
            Map<String, Object> section = ZooKeeperTls.section(
                    server,
                    Map.of(
                            "tls",
                            ZooKeeperTls.pemTls(true),
                            "digest",
                            ZooKeeperTls.digest(ZooKeeperTls.USER, DIGEST_PASSWORD),
                            "acl",
                            "creator-only"));
            ZooKeeperEngineConfig config = ZooKeeperConfigReader.read(ConfigSection.of("zookeeper", section));
            ZooKeeperLockEngine engine = ZooKeeperLockEngine.open(config);
            Path keyStore;
            String keyStorePassword;
            try (GlobalLockManager manager =
                    GlobalLockManager.builder().engine(engine).build()) {
                ZKClientConfig zk = clientConfigOf(engine);
                try (ClientX509Util x509 = new ClientX509Util()) {
                    keyStore = Path.of(zk.getProperty(x509.getSslKeystoreLocationProperty()));
                    keyStorePassword = zk.getProperty(x509.getSslKeystorePasswdProperty());
                }
                assertThat(keyStorePassword).hasSizeGreaterThanOrEqualTo(32);
                assertThat(keyStore).exists();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyStore)))
                        .isEqualTo("rw-------");
                try (LockHandle held = manager.lock("secret")) {
                    assertThat(config + " " + engine + " " + manager + " " + held)
                            .doesNotContain(keyStorePassword)
                            .doesNotContain(DIGEST_PASSWORD)
                            .doesNotContain("PRIVATE KEY");
                }
            }
            assertThat(keyStore).as("deleted when the engine closed").doesNotExist();
            assertThat(output.text())
                    .doesNotContain(keyStorePassword)
                    .doesNotContain(DIGEST_PASSWORD)
                    .doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    @DisplayName("store and SASL passwords, inline or from files, are not in the configuration's toString()")
    void storeAndSaslPasswords() throws Exception {
        Map<String, Object> tls = ZooKeeperTls.storeTls();
        Map<String, Object> section = Map.of(
                "connect-string",
                "127.0.0.1:2281",
                "tls",
                tls,
                "sasl",
                Map.of("username", ZooKeeperTls.USER, "password", "sasl-s3cret-8"));
        ZooKeeperEngineConfig config = ZooKeeperConfigReader.read(ConfigSection.of("zookeeper", section));
        String storePassword = ZooKeeperTls.certs().storePassword();
        assertThat(config.toString())
                .contains("tls")
                .contains("sasl=user app")
                .doesNotContain(storePassword)
                .doesNotContain("sasl-s3cret-8");
        assertThat(config.tlsSettings().orElseThrow().toString()).doesNotContain(storePassword);
    }

    /** The engine's ZooKeeper client settings (package-private parts, read by reflection). */
    private static ZKClientConfig clientConfigOf(ZooKeeperLockEngine engine) throws Exception {
        Field field = ZooKeeperLockEngine.class.getDeclaredField("connection");
        field.setAccessible(true);
        Connection connection = (Connection) field.get(engine);
        return connection.zooKeeper().getClientConfig();
    }
}
