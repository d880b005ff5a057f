/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import dev.globallock.tck.fixture.TestCertificates.StoreType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each wrong TLS or credential setting fails the first lock within the connect timeout (plus
 * slack), as a {@link LockBackendException} that names the engine, the endpoint and the cause in
 * words; a key or store that cannot be loaded fails at configuration, as a {@link
 * LockConfigException} naming the key. One server per kind, shared by the class.
 */
@DisplayName("redis engine: TLS and credentials that are wrong fail fast, in words")
class RedisTlsBadInputTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** What a failure may take beyond the connect timeout: the client's own work and a probe's answer. */
    private static final Duration SLACK = Duration.ofMillis(1500);

    private static final String PASSWORD = "app-pw-bad-input";
    private static final TestCertificates CERTS = TestCertificates.get();

    /** TLS with client certificates required, and the ACL user {@code app}. */
    private static RedisServer mutual;

    private static RedisServer expired;
    private static RedisServer wrongHost;
    private static RedisServer plain;

    @BeforeAll
    static void startServers() {
        mutual = RedisServer.start(RedisServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.REQUIRED))
                .aclUser("app", PASSWORD, RedisServer.LOCK_USER_ACL_RULES)
                .build());
        expired = RedisServer.start(RedisServer.Options.builder()
                .tls(ServerTls.serving(CERTS.expiredServer(), ClientAuth.NONE))
                .build());
        wrongHost = RedisServer.start(RedisServer.Options.builder()
                .tls(ServerTls.serving(CERTS.wrongHostServer(), ClientAuth.NONE))
                .build());
        plain = RedisServer.start();
    }

    @AfterAll
    static void stopServers() {
        for (RedisServer server : new RedisServer[] {mutual, expired, wrongHost, plain}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void aServerCertificateFromAnotherCaIsNotTrusted() {
        Map<String, Object> tls = clientCertificate();
        tls.put("ca-file", CERTS.otherCaFile().toString());
        assertFailsFast(app(mutual, tls), mutual, "certificate not trusted");
    }

    @Test
    void anExpiredServerCertificateIsRefused() {
        assertFailsFast(redis(expired, Map.of("ca-file", CERTS.caFile().toString())), expired, "certificate expired");
    }

    @Test
    void aServerCertificateForAnotherHostIsRefusedWhenHostNamesAreVerified() {
        assertFailsFast(
                redis(wrongHost, Map.of("ca-file", CERTS.caFile().toString())), wrongHost, "host name does not match");
    }

    @Test
    void aPlainClientAtATlsPortIsToldTheServerExpectsTls() {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("nodes", "redis://127.0.0.1:" + mutual.port());
        redis.put("username", "app");
        redis.put("password", PASSWORD);
        assertFailsFast(redis, "redis://127.0.0.1:" + mutual.port(), "server expects TLS");
    }

    @Test
    void aTlsClientAtAPlainPortIsToldTheServerDoesNotSpeakTls() {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("nodes", "rediss://127.0.0.1:" + plain.port());
        redis.put("tls", Map.of("ca-file", CERTS.caFile().toString()));
        assertFailsFast(redis, "rediss://127.0.0.1:" + plain.port(), "server does not speak TLS");
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailureOfTheUser() {
        Map<String, Object> redis = app(mutual, clientCertificate());
        redis.put("password", "not-" + PASSWORD);
        assertFailsFast(redis, mutual, "authentication failed for user 'app'");
    }

    @Test
    void anUnknownUserIsAnAuthenticationFailureOfThatUser() {
        Map<String, Object> redis = app(mutual, clientCertificate());
        redis.put("username", "nobody");
        assertFailsFast(redis, mutual, "authentication failed for user 'nobody'");
    }

    @Test
    void noClientCertificateWhereTheServerRequiresOne() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", CERTS.caFile().toString());
        assertFailsFast(app(mutual, tls), mutual, "the server requires a client certificate");
    }

    @Test
    void aKeyFileThatCannotBeReadIsAConfigurationProblem(@TempDir Path dir) throws IOException {
        Map<String, Object> missing = clientCertificate();
        missing.put("key-file", dir.resolve("missing-key.pem").toString());
        assertThat(configFailure(app(mutual, missing)))
                .hasMessageContaining("redis.tls.key-file was '" + dir.resolve("missing-key.pem") + "' but");
        Path garbage = Files.writeString(dir.resolve("garbage-key.pem"), "not a key\n");
        Map<String, Object> unreadable = clientCertificate();
        unreadable.put("key-file", garbage.toString());
        assertThat(configFailure(app(mutual, unreadable)))
                .hasMessageContaining("redis.tls.key-file was '" + garbage + "' but");
    }

    @Test
    void aPkcs12StoreWithAWrongPasswordIsAConfigurationProblem() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", CERTS.caFile().toString());
        tls.put("key-store", CERTS.client().keyStore(StoreType.PKCS12).toString());
        tls.put("key-store-password", "not-the-store-password");
        assertThat(configFailure(app(mutual, tls)))
                .hasMessageContaining(
                        "redis.tls.key-store was '" + CERTS.client().keyStore(StoreType.PKCS12) + "' but")
                .hasMessageContaining("password");
    }

    @Test
    void sentinelsThatRefuseTheEngineSayWhy() {
        RedisSentinel.Options options = RedisSentinel.Options.builder()
                .servers(RedisServer.Options.builder()
                        .tls(ServerTls.of(ClientAuth.REQUIRED))
                        .aclUser("app", PASSWORD, RedisServer.LOCK_USER_ACL_RULES)
                        .build())
                .sentinelAclUser("watcher", "watcher-pw-bad-input")
                .build();
        try (RedisSentinel sentinel = RedisSentinel.start(options)) {
            String endpoint = String.join(",", sentinel.sentinelUris());
            Map<String, Object> wrongPassword = sentinel(sentinel, clientCertificate());
            wrongPassword.put("sentinel-password", "not-the-watcher-pw");
            assertOpenFailsFast(wrongPassword, endpoint, "authentication failed for user 'watcher' at the sentinels");
            Map<String, Object> otherCa = clientCertificate();
            otherCa.put("ca-file", CERTS.otherCaFile().toString());
            assertOpenFailsFast(sentinel(sentinel, otherCa), endpoint, "certificate not trusted");
            Map<String, Object> noClientCertificate = new LinkedHashMap<>();
            noClientCertificate.put("ca-file", CERTS.caFile().toString());
            assertOpenFailsFast(
                    sentinel(sentinel, noClientCertificate), endpoint, "the server requires a client certificate");
        }
    }

    private static Map<String, Object> sentinel(RedisSentinel sentinel, Map<String, Object> tls) {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("mode", "sentinel");
        redis.put("master-name", sentinel.masterName());
        redis.put("nodes", sentinel.sentinelUris());
        redis.put("username", "app");
        redis.put("password", PASSWORD);
        redis.put("sentinel-username", "watcher");
        redis.put("sentinel-password", "watcher-pw-bad-input");
        redis.put("tls", tls);
        return redis;
    }

    /** Sentinel mode asks the sentinels for the master when the engine opens: that is where it fails. */
    private static void assertOpenFailsFast(Map<String, Object> redis, String endpoint, String words) {
        redis.put("connect-timeout", CONNECT_TIMEOUT.toMillis() + "ms");
        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> GlobalLockManager.create(Map.of("engine", "redis", "redis", redis))
                .close());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(failure)
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("engine 'redis' at " + endpoint)
                .hasMessageContaining(": " + words + " (");
        assertThat(took).as("time to fail").isLessThan(CONNECT_TIMEOUT.plus(SLACK));
    }

    /** The configuration of the user {@code app} on {@code server}, with the given {@code tls} section. */
    private static Map<String, Object> app(RedisServer server, Map<String, Object> tls) {
        Map<String, Object> redis = redis(server, tls);
        redis.put("username", "app");
        redis.put("password", PASSWORD);
        return redis;
    }

    private static Map<String, Object> redis(RedisServer server, Map<String, Object> tls) {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("nodes", server.uri());
        redis.put("tls", tls);
        return redis;
    }

    /** The CA and the client certificate: what a well-configured client of {@link #mutual} has. */
    private static Map<String, Object> clientCertificate() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", CERTS.caFile().toString());
        tls.put("cert-file", CERTS.client().certFile().toString());
        tls.put("key-file", CERTS.client().keyFile().toString());
        return tls;
    }

    private static void assertFailsFast(Map<String, Object> redis, RedisServer server, String words) {
        assertFailsFast(redis, server.uri(), words);
    }

    private static void assertFailsFast(Map<String, Object> redis, String endpoint, String words) {
        redis.put("connect-timeout", CONNECT_TIMEOUT.toMillis() + "ms");
        try (GlobalLockManager locks = GlobalLockManager.create(Map.of("engine", "redis", "redis", redis))) {
            long start = System.nanoTime();
            Throwable failure = catchThrowable(() -> locks.lock(
                            "tls-bad-input",
                            LockOptions.builder()
                                    .waitTime(Duration.ofSeconds(10))
                                    .build())
                    .close());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(failure)
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'redis' at " + endpoint)
                    .hasMessageContaining(": " + words + " (");
            assertThat(took).as("time to fail").isLessThan(CONNECT_TIMEOUT.plus(SLACK));
        }
    }

    private static Throwable configFailure(Map<String, Object> redis) {
        Throwable failure = catchThrowable(() -> GlobalLockManager.create(Map.of("engine", "redis", "redis", redis))
                .close());
        assertThat(failure).isInstanceOf(LockConfigException.class);
        return failure;
    }
}
