/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The etcd section and the typed builder: defaults, every mistake at once, secrets kept out of sight. */
@DisplayName("etcd engine: configuration")
class EtcdEngineConfigTest {

    private static EtcdEngineConfig read(Map<String, ?> section) {
        ConfigSection config = ConfigSection.of("etcd", section);
        EtcdEngineConfig read = EtcdConfigReader.read(config);
        config.validate();
        return read;
    }

    @Test
    @DisplayName("only endpoints are required; everything else has a default")
    void defaults() {
        EtcdEngineConfig config = read(Map.of("endpoints", List.of("http://127.0.0.1:2379")));
        assertThat(config.endpoints()).containsExactly(URI.create("http://127.0.0.1:2379"));
        assertThat(config.namespace()).isEqualTo("/globallock/");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.keepaliveTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.user()).isEmpty();
        assertThat(config.tls()).isFalse();
    }

    @Test
    @DisplayName("the reference YAML's etcd section reads without problems and states the defaults")
    void referenceYaml() throws Exception {
        Path reference = Path.of(
                "..", "globallock-api", "src", "main", "resources", "dev", "globallock", "globallock-reference.yaml");
        Map<String, Object> all;
        try (Reader reader = Files.newBufferedReader(reference, StandardCharsets.UTF_8)) {
            all = new Yaml().load(reader);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> section = (Map<String, Object>) all.get("etcd");
        EtcdEngineConfig config = read(section);
        EtcdEngineConfig defaults =
                EtcdEngineConfig.builder().endpoints("http://127.0.0.1:2379").build();
        assertThat(config.toString()).isEqualTo(defaults.toString());
        assertThat(config.keepaliveTime()).isEqualTo(defaults.keepaliveTime());
        assertThat(config.keepaliveTimeout()).isEqualTo(defaults.keepaliveTimeout());
        assertThat(config.connectTimeout()).isEqualTo(defaults.connectTimeout());
    }

    @Test
    @DisplayName("every key is read")
    void everyKey() {
        EtcdEngineConfig config = read(Map.of(
                "endpoints", List.of("http://10.0.0.1:2379", "http://10.0.0.2:2379"),
                "user", "locks",
                "password", "pw",
                "namespace", "/app/locks/",
                "connect-timeout", "1s",
                "request-timeout", "2s",
                "keepalive-time", "20s",
                "keepalive-timeout", "4s"));
        assertThat(config.endpoints()).hasSize(2);
        assertThat(config.user()).contains("locks");
        assertThat(config.password().map(Secret::reveal)).contains("pw");
        assertThat(config.namespace()).isEqualTo("/app/locks/");
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.describeEndpoints()).isEqualTo("http://10.0.0.1:2379,http://10.0.0.2:2379");
    }

    @Test
    @DisplayName("every mistake is reported at once, with its key path, and the password never shows")
    void everyMistakeAtOnce() {
        assertThatThrownBy(() -> read(Map.of(
                        "endpoints", List.of("127.0.0.1:2379", "http://host", "redis://x:1"),
                        "password", "hunter2",
                        "namespace", "",
                        "request-timeout", "soon",
                        "keepalive-time", "1s",
                        "tls", Map.of("cert-file", "/nonexistent/cert.pem"),
                        "endpoint", "typo")))
                .isInstanceOf(LockConfigException.class)
                .satisfies(e -> {
                    List<String> problems = ((LockConfigException) e).problems();
                    assertThat(problems)
                            .anyMatch(p -> p.startsWith("etcd.endpoints was '127.0.0.1:2379' but"))
                            .anyMatch(p -> p.startsWith("etcd.endpoints was 'http://host' but it has no port"))
                            .anyMatch(p -> p.startsWith("etcd.endpoints was 'redis://x:1' but"))
                            .anyMatch(p -> p.startsWith("etcd.user was missing"))
                            .anyMatch(p -> p.startsWith("etcd.namespace was '' but"))
                            .anyMatch(p -> p.startsWith("etcd.request-timeout was 'soon' but"))
                            .anyMatch(p -> p.startsWith("etcd.keepalive-time was '1s' but it must be at least 5s"))
                            .anyMatch(p -> p.startsWith("etcd.tls.cert-file was '/nonexistent/cert.pem' but"))
                            .anyMatch(p -> p.startsWith("etcd.tls.key-file was missing"))
                            .anyMatch(p -> p.contains("etcd.endpoint ") && p.contains("did you mean 'endpoints'"));
                    assertThat(e.getMessage()).doesNotContain("hunter2");
                });
    }

    @Test
    @DisplayName("missing endpoints, and tls with http:// endpoints, are errors")
    void endpointsRequired(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not read before connecting");
        assertThatThrownBy(() -> read(Map.of()))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("etcd.endpoints was missing");
        assertThatThrownBy(() -> read(
                        Map.of("endpoints", List.of("http://127.0.0.1:2379"), "tls", Map.of("ca-file", ca.toString()))))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("https://");
    }

    @Test
    @DisplayName(
            "username is another name for user; the password may come from a file; the tls block is the shared one")
    void credentialsAndTls(@TempDir Path dir) throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("password"), "from-a-file\n");
        EtcdEngineConfig config = read(Map.of(
                "endpoints", List.of("https://127.0.0.1:2379"),
                "username", "locks",
                "password-file", passwordFile.toString(),
                "tls", Map.of("hostname-verification", false)));
        assertThat(config.user()).contains("locks");
        assertThat(config.password().map(Secret::reveal)).contains("from-a-file");
        assertThat(config.tls()).isTrue();
        assertThat(config.tlsSettings().hostnameVerification()).isFalse();
        assertThat(config.toString()).doesNotContain("from-a-file");

        assertThatThrownBy(() -> read(Map.of(
                        "endpoints", List.of("https://127.0.0.1:2379"),
                        "user", "locks",
                        "username", "other",
                        "password-file", dir.resolve("absent").toString(),
                        "tls", Map.of("enabled", false))))
                .isInstanceOf(LockConfigException.class)
                .satisfies(e -> assertThat(((LockConfigException) e).problems())
                        .anyMatch(p -> p.startsWith("etcd.username was 'other' but user is set too"))
                        .anyMatch(p -> p.startsWith(
                                "etcd.password-file was '" + dir.resolve("absent") + "' but the file does not exist"))
                        .anyMatch(p -> p.startsWith("etcd.tls.enabled was 'false' but the endpoints use TLS")));
    }

    @Test
    @DisplayName("the manager finds the engine by name and validates its section before any I/O")
    void providerThroughTheManager() {
        assertThatThrownBy(() -> GlobalLockManager.create(Map.of(
                        "engine",
                        "etcd",
                        "etcd",
                        Map.of("endpoints", List.of("http://127.0.0.1:2379"), "pasword", "x"))))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("etcd.pasword")
                .hasMessageContaining("did you mean 'password'")
                .hasMessageNotContaining("'x'");
        assertThat(GlobalLockManager.availableEngines()).containsKey("etcd");
    }

    @Test
    @DisplayName("the builder checks values, refuses to set one twice, and never prints the password")
    void builder() {
        EtcdEngineConfig config = EtcdEngineConfig.builder()
                .endpoints("https://etcd-1:2379")
                .user("locks")
                .password(Secret.of("hunter2"))
                .requestTimeout(Duration.ofSeconds(1))
                .build();
        assertThat(config.tls()).isTrue();
        assertThat(config.toString()).contains("user=locks").doesNotContain("hunter2");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().endpoints("etcd:2379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("etcd:2379");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().namespace("/a/").namespace("/b/"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already set");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("endpoints or a client");
        assertThatThrownBy(() -> EtcdEngineConfig.builder()
                        .endpoints("http://127.0.0.1:2379")
                        .user("u")
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("together");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().keepaliveTime(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EtcdEngineConfig.builder()
                        .endpoints("https://127.0.0.1:2379")
                        .tls(dev.globallock.spi.support.TlsSettings.disabled())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("https:// while the TLS settings given are disabled");
    }

    @Test
    @DisplayName("lease times round up to whole seconds, the unit of etcd's TTL")
    void ttlRoundsUp() {
        assertThat(EtcdSessions.ttlSeconds(Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(EtcdSessions.ttlSeconds(Duration.ofMillis(2001))).isEqualTo(3);
        assertThat(EtcdSessions.ttlSeconds(Duration.ofMillis(10))).isEqualTo(1);
    }

    @Test
    @DisplayName("escaping keeps every lock in a directory of its own")
    void escaping() {
        assertThat(EtcdKeys.escape("a/b")).isEqualTo("a%2Fb");
        assertThat(EtcdKeys.escape("a%2Fb")).isEqualTo("a%252Fb");
        assertThat(EtcdKeys.escape("ü/锁")).isEqualTo("ü%2F锁");
        assertThat(EtcdKeys.escape("a/b")).isNotEqualTo(EtcdKeys.escape("a%2Fb"));
        assertThat(EtcdKeys.text(EtcdKeys.lockPrefix("/ns/", "x/y"))).isEqualTo("/ns/x%2Fy/");
    }
}
