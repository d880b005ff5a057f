/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.RedisCluster;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import dev.globallock.tck.fixture.TestCertificates.StoreType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine locks and unlocks over TLS as the ACL user {@code app} (whose rules are {@link
 * RedisServer#LOCK_USER_ACL_RULES}: the engine needs no other command) in every mode: one server
 * with TLS, one with mutual TLS (PEM files, or PKCS12 stores with password files), Sentinel (TLS to
 * the sentinels and to the master, the sentinels' own user and password), Cluster ({@code
 * tls-cluster yes}) and Redlock. The servers refuse plain connections and other users (their
 * fixtures' tests prove it), so a lock taken proves the settings were used.
 */
@DisplayName("redis engine: TLS and an ACL user in every mode")
class RedisTlsConnectsTest {
    private static final String PASSWORD = "app-pw-connects";
    private static final TestCertificates CERTS = TestCertificates.get();

    /** TLS without client certificates. */
    private static RedisServer tls;
    /** TLS with client certificates required. */
    private static RedisServer mutual;
    /** TLS presenting a certificate for another host name. */
    private static RedisServer wrongHost;

    @BeforeAll
    static void startServers() {
        tls = RedisServer.start(withTlsAndApp(ClientAuth.NONE));
        mutual = RedisServer.start(withTlsAndApp(ClientAuth.REQUIRED));
        wrongHost = RedisServer.start(RedisServer.Options.builder()
                .tls(ServerTls.serving(CERTS.wrongHostServer(), ClientAuth.NONE))
                .aclUser("app", PASSWORD, RedisServer.LOCK_USER_ACL_RULES)
                .build());
    }

    @AfterAll
    static void stopServers() {
        for (RedisServer server : new RedisServer[] {tls, mutual, wrongHost}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void singleServerWithTlsTrustingTheCa() {
        Map<String, Object> redis = app(List.of(tls.uri()));
        redis.put("tls", Map.of("ca-file", CERTS.caFile().toString()));
        assertLocksAndUnlocks(redis);
    }

    @Test
    void singleServerWithTlsEnabledOnARedisUriAndHostNamesNotVerified() {
        // the certificate names another host: only a client that does not verify host names connects
        Map<String, Object> redis = app(List.of("redis://127.0.0.1:" + wrongHost.port()));
        redis.put("tls", Map.of("enabled", true, "ca-file", CERTS.caFile().toString(), "hostname-verification", false));
        assertLocksAndUnlocks(redis);
    }

    @Test
    void singleServerWithMutualTlsFromPemFiles() {
        Map<String, Object> redis = app(List.of(mutual.uri()));
        redis.put("tls", clientCertificate());
        assertLocksAndUnlocks(redis);
    }

    @Test
    void singleServerWithMutualTlsFromPkcs12StoresAndSecretsInFiles(@TempDir Path dir) throws IOException {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("nodes", List.of(mutual.uri()));
        redis.put("user", "app");
        redis.put(
                "password-file",
                Files.writeString(dir.resolve("redis-password"), PASSWORD + "\n")
                        .toString());
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("trust-store", CERTS.trustStore(StoreType.PKCS12).toString());
        tls.put("trust-store-password-file", CERTS.storePasswordFile().toString());
        tls.put("key-store", CERTS.client().keyStore(StoreType.PKCS12).toString());
        tls.put("key-store-password-file", CERTS.storePasswordFile().toString());
        redis.put("tls", tls);
        assertLocksAndUnlocks(redis);
    }

    @Test
    void sentinelWithTlsToTheSentinelsAndTheMasterAndTheSentinelsOwnCredentials(@TempDir Path dir) throws IOException {
        RedisSentinel.Options options = RedisSentinel.Options.builder()
                .servers(withTlsAndApp(ClientAuth.REQUIRED))
                .sentinelAclUser("watcher", "watcher-pw-connects")
                .build();
        try (RedisSentinel sentinel = RedisSentinel.start(options)) {
            Map<String, Object> redis = app(sentinel.sentinelUris());
            redis.put("mode", "sentinel");
            redis.put("master-name", sentinel.masterName());
            redis.put("sentinel-username", "watcher");
            redis.put(
                    "sentinel-password-file",
                    Files.writeString(dir.resolve("sentinel-password"), "watcher-pw-connects")
                            .toString());
            redis.put("tls", clientCertificate());
            assertLocksAndUnlocks(redis);
        }
    }

    @Test
    void clusterWithTlsOnTheClusterBus() {
        try (RedisCluster cluster = RedisCluster.start(3, 0, withTlsAndApp(ClientAuth.REQUIRED))) {
            Map<String, Object> redis = app(cluster.seedUris().subList(0, 1));
            redis.put("mode", "cluster");
            redis.put("tls", clientCertificate());
            assertLocksAndUnlocks(redis);
        }
    }

    @Test
    void redlockOverThreeTlsMasters() {
        try (RedisServers servers = RedisServers.start(3, withTlsAndApp(ClientAuth.REQUIRED))) {
            Map<String, Object> redis = app(servers.uris());
            redis.put("mode", "redlock");
            redis.put("tls", clientCertificate());
            assertLocksAndUnlocks(redis);
        }
    }

    /** Servers with TLS (presenting the server certificate) and the user {@code app} limited to what the engine sends. */
    private static RedisServer.Options withTlsAndApp(ClientAuth clientAuth) {
        return RedisServer.Options.builder()
                .tls(ServerTls.of(clientAuth))
                .password("admin-pw-connects")
                .aclUser("app", PASSWORD, RedisServer.LOCK_USER_ACL_RULES)
                .build();
    }

    private static Map<String, Object> app(List<String> nodes) {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("nodes", nodes);
        redis.put("username", "app");
        redis.put("password", PASSWORD);
        return redis;
    }

    /** Trusts the CA, presents the client certificate. */
    private static Map<String, Object> clientCertificate() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", CERTS.caFile().toString());
        tls.put("cert-file", CERTS.client().certFile().toString());
        tls.put("key-file", CERTS.client().keyFile().toString());
        return tls;
    }

    /** Takes, holds and releases locks (on several cluster slots), and a second manager waits for one. */
    private static void assertLocksAndUnlocks(Map<String, Object> redis) {
        Map<String, Object> config = Map.of("engine", "redis", "redis", redis);
        try (GlobalLockManager locks = GlobalLockManager.create(config);
                GlobalLockManager others = GlobalLockManager.create(config)) {
            for (String name : List.of("tls-a", "tls-b", "tls-c")) {
                long token;
                try (LockHandle held = locks.lock(name)) {
                    token = held.fencingToken();
                    try (LockHandle busy = others.tryLock(name)) {
                        assertThat(busy.isLocked()).isFalse();
                    }
                }
                try (LockHandle again = others.lock(name)) {
                    assertThat(again.fencingToken()).isGreaterThan(token);
                }
            }
        }
    }
}
