/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.LockConfigException;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.TlsSettings;
import dev.globallock.tck.fixture.TestCertificates;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import redis.clients.jedis.RedisClient;

@DisplayName("redis engine configuration")
class RedisConfigurationTest {
    private static RedisEngineConfig read(Map<String, Object> section) {
        return RedisConfigReader.read(ConfigSection.of("redis", section));
    }

    @Test
    @DisplayName("the reference configuration's redis section is valid and holds the defaults")
    void referenceSectionIsValid() throws Exception {
        Path reference = Path.of(
                "..", "globallock-api", "src", "main", "resources", "dev", "globallock", "globallock-reference.yaml");
        Map<String, Object> all;
        try (Reader reader = Files.newBufferedReader(reference, StandardCharsets.UTF_8)) {
            all = new Yaml().load(reader);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> section = (Map<String, Object>) all.get("redis");
        RedisEngineConfig config = read(section);
        RedisEngineConfig defaults = RedisEngineConfig.builder()
                .nodes(List.of("redis://127.0.0.1:6379"))
                .build();
        assertThat(config.toString()).isEqualTo(defaults.toString());
    }

    @Test
    @DisplayName("every mistake is reported at once, with the key path, and secrets are never shown")
    void allProblemsAtOnce() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("mode", "clustr");
        section.put("nodes", List.of("redis://user:hunter2@10.0.0.1:6379", "http://10.0.0.2"));
        section.put("pool-size", 0);
        section.put("command-timeout", "soon");
        section.put("passwrd", "hunter3");
        section.put("master-name", "mymaster");
        assertThatThrownBy(() -> read(section))
                .isInstanceOf(LockConfigException.class)
                .satisfies(e -> {
                    List<String> problems = ((LockConfigException) e).problems();
                    assertThat(problems).anyMatch(p -> p.startsWith("redis.mode was 'clustr'"));
                    assertThat(problems).anyMatch(p -> p.startsWith("redis.nodes[0] was '******'"));
                    assertThat(problems).anyMatch(p -> p.startsWith("redis.nodes[1] was 'http://10.0.0.2'"));
                    assertThat(problems).anyMatch(p -> p.startsWith("redis.pool-size was '0'"));
                    assertThat(problems).anyMatch(p -> p.startsWith("redis.command-timeout was 'soon'"));
                    assertThat(problems)
                            .anyMatch(p -> p.contains("redis.passwrd") && p.contains("did you mean 'password'"));
                    assertThat(problems).anyMatch(p -> p.startsWith("redis.master-name") && p.contains("sentinel"));
                })
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("hunter3");
    }

    @Test
    @DisplayName("mode-specific requirements: nodes, master name, Redlock size, cluster database")
    void modeRequirements() {
        assertThatThrownBy(() -> read(Map.of()))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("redis.nodes was missing");
        assertThatThrownBy(() -> read(Map.of("mode", "sentinel", "nodes", List.of("redis://s1"))))
                .hasMessageContaining("redis.master-name was missing");
        assertThatThrownBy(() -> read(Map.of("mode", "redlock", "nodes", List.of("redis://a", "redis://b"))))
                .hasMessageContaining("at least 3");
        assertThatThrownBy(() -> read(Map.of("mode", "cluster", "nodes", List.of("redis://a"), "database", 2)))
                .hasMessageContaining("only database 0");
        assertThatThrownBy(() -> read(Map.of("nodes", List.of("redis://a", "redis://b"))))
                .hasMessageContaining("exactly one node");
        RedisEngineConfig sentinel =
                read(Map.of("mode", "sentinel", "nodes", List.of("redis://s1"), "master-name", "mymaster"));
        assertThat(sentinel.nodes().get(0).getPort()).isEqualTo(26379);
        assertThat(sentinel.masterName()).contains("mymaster");
    }

    @Test
    @DisplayName("a node whose port is not a number says so, in the map and in the builder")
    void portThatIsNotANumber() {
        assertThatThrownBy(() -> read(Map.of("nodes", List.of("redis://127.0.0.1:abc"))))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("redis.nodes[0] was 'redis://127.0.0.1:abc' but its port 'abc' is not a number");
        assertThatThrownBy(() -> read(Map.of("nodes", List.of("redis://127.0.0.1:99999"))))
                .hasMessageContaining(
                        "redis.nodes[0] was 'redis://127.0.0.1:99999' but its port '99999' is not between 1 and 65535");
        assertThatThrownBy(() -> read(Map.of("nodes", List.of("redis://my_host:6379"))))
                .hasMessageContaining(
                        "redis.nodes[0] was 'redis://my_host:6379' but its host 'my_host' is not a valid host name");
        assertThatThrownBy(() -> read(Map.of("nodes", List.of("redis://:6379"))))
                .hasMessageContaining("it names no host");
        assertThatThrownBy(() -> RedisEngineConfig.builder().nodes(List.of("redis://10.0.0.1:63a9")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "node 0 was rejected: its port '63a9' is not a number, expected such as redis://127.0.0.1:6379");
        assertThat(read(Map.of("nodes", List.of("redis://[::1]:6380")))
                        .nodes()
                        .get(0)
                        .getPort())
                .isEqualTo(6380);
    }

    @Test
    @DisplayName("redis.database: negative is refused at load, any other index is left to the server")
    void databaseIndex() {
        assertThatThrownBy(() -> read(Map.of("nodes", List.of("redis://a"), "database", -1)))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("redis.database was '-1' but it must not be negative");
        assertThatThrownBy(() -> RedisEngineConfig.builder().database(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("database was '-1' but it must not be negative: Redis numbers its databases from 0");
        assertThat(read(Map.of("nodes", List.of("redis://a"), "database", 99)).database())
                .isEqualTo(99);
        assertThat(read(Map.of("nodes", List.of("redis://a"), "database", 70_000))
                        .database())
                .as("servers may be configured with more than 65536 databases")
                .isEqualTo(70_000);
        assertThatThrownBy(() -> RedisEngineConfig.builder()
                        .mode(RedisMode.CLUSTER)
                        .nodes(List.of("redis://a"))
                        .database(3)
                        .build())
                .hasMessageContaining("database was '3' but a Redis Cluster has only database 0");
    }

    @Test
    @DisplayName("the builder checks values, refuses settings made twice and hides passwords")
    void builder() {
        RedisEngineConfig.Builder builder = RedisEngineConfig.builder().nodes(List.of("rediss://cache:6380"));
        assertThatThrownBy(() -> builder.nodes(List.of("redis://other"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.poolSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.commandTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        RedisEngineConfig config = builder.password(Secret.of("hunter2"))
                .commandTimeout(Duration.ofMillis(500))
                .build();
        assertThat(config.toString()).contains("password=******").doesNotContain("hunter2");
        assertThat(config.describeEndpoint()).isEqualTo("rediss://cache:6380");
        assertThatThrownBy(() -> RedisEngineConfig.builder()
                        .mode(RedisMode.SENTINEL)
                        .nodes(List.of("redis://s1"))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("masterName");
    }

    @Test
    @DisplayName("tls, password files and the user alias: read once, each mistake said with its key")
    void tlsCredentialFilesAndAliases(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.get();
        Path passwordFile = Files.writeString(dir.resolve("pw"), "from-a-file\n");
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("nodes", List.of("redis://10.0.0.1:6379"));
        section.put("user", "app");
        section.put("password-file", passwordFile.toString());
        section.put("tls", Map.of("ca-file", certs.caFile().toString()));
        RedisEngineConfig config = read(section);
        assertThat(config.username()).contains("app");
        assertThat(config.password().orElseThrow().reveal()).isEqualTo("from-a-file");
        assertThat(config.tls().enabled()).isTrue();
        assertThat(config.tls().caFile()).contains(certs.caFile());
        assertThat(RedisConnector.usesTls(config)).isTrue();
        assertThat(config.toString()).contains("tls=").doesNotContain("from-a-file");

        RedisEngineConfig rediss = read(Map.of("nodes", List.of("rediss://10.0.0.1:6380")));
        assertThat(rediss.tls().enabled()).isTrue();
        assertThat(RedisConnector.usesTls(read(Map.of("nodes", List.of("redis://10.0.0.1")))))
                .isFalse();

        Map<String, Object> wrong = new LinkedHashMap<>();
        wrong.put("nodes", List.of("rediss://10.0.0.1:6380"));
        wrong.put("username", "app");
        wrong.put("user", "other");
        wrong.put("password", "in-line-pw");
        wrong.put("password-file", passwordFile.toString());
        wrong.put("sentinel-password-file", passwordFile.toString());
        wrong.put("tls", Map.of("enabled", false));
        assertThatThrownBy(() -> read(wrong))
                .isInstanceOf(LockConfigException.class)
                .satisfies(e -> assertThat(((LockConfigException) e).problems())
                        .contains(
                                "redis.user was 'other' but username is set too: give it once",
                                "redis.password-file was '" + passwordFile
                                        + "' but password is set too: give the secret once, inline or in a file",
                                "redis.sentinel-password-file was '******' but it is only used in sentinel mode, not single",
                                "redis.tls.enabled was 'false' but the endpoints use TLS (rediss:// or https://): set it"
                                        + " to true or leave it out"))
                .hasMessageNotContaining("from-a-file")
                .hasMessageNotContaining("in-line-pw");

        assertThatThrownBy(() -> RedisEngineConfig.builder()
                        .client(redis.clients.jedis.RedisClient.create("127.0.0.1", 1))
                        .tls(config.tls())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tls was '")
                .hasMessageContaining("but the application's client has its own TLS settings: set them on it");
    }

    @Test
    @DisplayName("the builder reports every value that does not fit the others at once, word for word")
    void builderCombinationProblemsWordForWord() {
        assertThatThrownBy(() -> RedisEngineConfig.builder()
                        .mode(RedisMode.SENTINEL)
                        .database(2)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the Redis engine configuration is incomplete: nodes was missing but it is required: the"
                        + " sentinels, such as [redis://10.0.0.1:26379, redis://10.0.0.2:26379]; masterName was"
                        + " missing but it is required: the name the sentinels monitor the master under, such as"
                        + " mymaster");
        assertThatThrownBy(() -> RedisEngineConfig.builder()
                        .mode(RedisMode.REDLOCK)
                        .nodes(List.of("redis://a", "redis://b"))
                        .masterName("m")
                        .sentinelUsername("su")
                        .sentinelPassword(Secret.of("hunter2"))
                        .waitForReplicas(1)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the Redis engine configuration is incomplete: nodes was '[redis://a:6379,"
                        + " redis://b:6379]' but redlock needs at least 3 independent masters; masterName was 'm' but"
                        + " it is only used in sentinel mode, not redlock; sentinelUsername was 'su' but it is only"
                        + " used in sentinel mode, not redlock; sentinelPassword was '******' but it is only used in"
                        + " sentinel mode, not redlock; waitForReplicas was '1' but it is not used in redlock mode:"
                        + " its masters are independent");
        TlsSettings tls =
                read(Map.of("nodes", List.of("rediss://10.0.0.1:6380"))).tls();
        try (RedisClient client = RedisClient.create("127.0.0.1", 1)) {
            assertThatThrownBy(() -> RedisEngineConfig.builder()
                            .mode(RedisMode.CLUSTER)
                            .nodes(List.of("redis://a", "redis://b"))
                            .client(client)
                            .tls(tls)
                            .database(3)
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the Redis engine configuration is incomplete: an application client can only be"
                            + " used in single mode, not cluster; with an application client, nodes may name at most"
                            + " the one server it talks to; tls was '" + tls + "' but the application's client has"
                            + " its own TLS settings: set them on it; database was '3' but a Redis Cluster has only"
                            + " database 0");
        }
    }
}
