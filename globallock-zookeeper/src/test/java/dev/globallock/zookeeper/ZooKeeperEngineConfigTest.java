/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.LockConfigException;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ZooKeeperEngineConfigTest {
    private static LockConfigException problems(Map<String, Object> zookeeper) {
        ConfigSection section = ConfigSection.of("zookeeper", zookeeper);
        return (LockConfigException)
                org.assertj.core.api.Assertions.catchThrowable(() -> new ZooKeeperLockEngineProvider().create(section));
    }

    @Test
    @DisplayName("every mistake in the section is reported at once, with its key path")
    void allProblemsAtOnce() {
        Map<String, Object> zookeeper = new LinkedHashMap<>();
        zookeeper.put("session-timeout", "30 parsecs");
        zookeeper.put("namespace", "/globallock/");
        zookeeper.put("retry", Map.of("max-retries", 99, "base-sleep", "2s", "max-sleep", "1s"));
        zookeeper.put("digest", Map.of("password", "hunter2"));
        zookeeper.put("acl", "creator-only");
        zookeeper.put("conect-string", "typo:2181");
        LockConfigException e = problems(zookeeper);
        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains("zookeeper.connect-string was missing")
                .contains("zookeeper.session-timeout was '30 parsecs'")
                .contains("zookeeper.namespace was '/globallock/'")
                .contains("zookeeper.retry.max-retries was '99' but it must be between 0 and 29")
                .contains("zookeeper.retry.max-sleep")
                .contains("zookeeper.digest.username was missing")
                .contains("zookeeper.acl was 'creator-only' but it needs an authenticated identity")
                .doesNotContain("hunter2")
                .contains("zookeeper.conect-string")
                .contains("did you mean 'connect-string'");
    }

    @Test
    @DisplayName("passwords never appear in problems or in toString()")
    void secretsHidden() {
        LockConfigException e = problems(Map.of(
                "connect-string",
                "127.0.0.1:2181",
                "digest",
                Map.of("username", "app", "password", Map.of("not", "text")),
                "tls",
                Map.of("enabled", true, "trust-store-password", "hunter2", "passphrase", "hunter3")));
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("hunter3");
        ZooKeeperEngineConfig config = ZooKeeperEngineConfig.builder()
                .connectString("127.0.0.1:2181")
                .digest("app", Secret.of("hunter2"))
                .tls(Path.of("trust.p12"), Secret.of("hunter3"), "PKCS12")
                .build();
        assertThat(config.toString()).contains("app:******").doesNotContain("hunter");
    }

    @Test
    @DisplayName("the builder checks values, sequencing and combinations")
    void builderChecks() {
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("either a connect string or an existing CuratorFramework");
        assertThatThrownBy(() ->
                        ZooKeeperEngineConfig.builder().connectString("a:1").connectString("b:1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already set");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().sessionTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1ms");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().namespace("zookeeper"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder().retry(Duration.ofSeconds(2), Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max sleep");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder()
                        .connectString("a:1")
                        .acl(ZooKeeperEngineConfig.Acl.CREATOR_ONLY)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("authenticated identity");
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder()
                        .connectString("a:1")
                        .tlsKeyStore(Path.of("k.p12"), null, null)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TLS is not enabled");
        TlsSettings whole = TlsSettings.read(ConfigSection.of("zookeeper.tls", Map.of("enabled", true)), false);
        assertThatThrownBy(() -> ZooKeeperEngineConfig.builder()
                        .connectString("a:1")
                        .tls(whole)
                        .hostnameVerification(false)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the TLS settings were given whole: set the key store and hostname verification in them");
        CuratorFramework given = CuratorFrameworkFactory.newClient("a:1", new RetryOneTime(1)); // never started
        assertThatThrownBy(() ->
                        ZooKeeperEngineConfig.builder().client(given).tls(whole).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("connection settings (timeouts, retry, authentication, TLS) belong to the"
                        + " CuratorFramework that was given; set them there");
    }

    @Test
    @DisplayName("defaults: 10 s sessions, 10 s connection timeout, namespace globallock, open ACL")
    void defaults() {
        ZooKeeperEngineConfig config =
                ZooKeeperEngineConfig.builder().connectString("zk:2181").build();
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.namespace()).isEqualTo("globallock");
        assertThat(config.acl()).isEqualTo(ZooKeeperEngineConfig.Acl.OPEN);
        assertThat(config.retryMaxRetries()).isEqualTo(3);
        assertThat(ZooKeeperConnector.clientConfig(config).getProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY))
                .isEqualTo("false");
    }

    @Test
    @DisplayName("SASL and TLS settings become ZooKeeper client properties")
    void saslAndTls() {
        ZooKeeperEngineConfig config = ZooKeeperEngineConfig.builder()
                .connectString("zk:2281")
                .sasl("ZkClient", "zk")
                .tls(Path.of("/etc/zk/trust.p12"), Secret.of("pw"), "PKCS12")
                .tlsKeyStore(Path.of("/etc/zk/me.p12"), Secret.of("pw2"), "PKCS12")
                .hostnameVerification(false)
                .build();
        ZKClientConfig zk = ZooKeeperConnector.clientConfig(config);
        try (ClientX509Util x509 = new ClientX509Util()) {
            assertThat(zk.getProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY)).isEqualTo("true");
            assertThat(zk.getProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY)).isEqualTo("ZkClient");
            assertThat(zk.getProperty(ZKClientConfig.ZK_SASL_CLIENT_USERNAME)).isEqualTo("zk");
            assertThat(zk.getProperty(ZKClientConfig.SECURE_CLIENT)).isEqualTo("true");
            assertThat(zk.getProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET))
                    .endsWith("ClientCnxnSocketNetty");
            assertThat(zk.getProperty(x509.getSslTruststoreLocationProperty())).isEqualTo("/etc/zk/trust.p12");
            assertThat(zk.getProperty(x509.getSslKeystoreLocationProperty())).isEqualTo("/etc/zk/me.p12");
            assertThat(zk.getProperty(x509.getSslHostnameVerificationEnabledProperty()))
                    .isEqualTo("false");
        }
    }
}
