/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.tck.LockEngineCompatibilityKit;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The whole contract over mutual TLS, as an ACL user that may run only the engine's commands
 * ({@link RedisServer#LOCK_USER_ACL_RULES}, and {@link RedisServer#RATE_LIMITER_ACL_RULES} for the rate limiters).
 */
@DisplayName("redis engine, single server with mutual TLS and an ACL user: the lock contract")
class RedisTlsAclLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static final String ADMIN_PASSWORD = "admin-pw-kit";
    private static final String APP_PASSWORD = "app-pw-kit";
    private static final TestCertificates CERTS = TestCertificates.get();

    private static RedisServer redis;

    @BeforeAll
    static void startServer() {
        redis = RedisServer.start(RedisServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.REQUIRED))
                .password(ADMIN_PASSWORD)
                .aclUser(
                        "app",
                        APP_PASSWORD,
                        RedisServer.LOCK_USER_ACL_RULES + RedisServer.RATE_LIMITER_ACL_RULES + " +zscore +zrem")
                .build());
    }

    @AfterAll
    static void stopServer() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected Map<String, Object> engineConfig() {
        return config(redis.uri(), "2s");
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        return config("rediss://127.0.0.1:" + FreePorts.next(), "500ms");
    }

    private static Map<String, Object> config(String node, String timeout) {
        return Map.of(
                "engine",
                "redis",
                "redis",
                Map.of(
                        "nodes",
                        List.of(node),
                        "username",
                        "app",
                        "password",
                        APP_PASSWORD,
                        "connect-timeout",
                        timeout,
                        "command-timeout",
                        timeout,
                        "tls",
                        Map.of(
                                "ca-file",
                                CERTS.caFile().toString(),
                                "cert-file",
                                CERTS.client().certFile().toString(),
                                "key-file",
                                CERTS.client().keyFile().toString())));
    }

    @Override
    protected void forgetOnBackend(String key) {
        redis.callAs(null, ADMIN_PASSWORD, "DEL", LockKeys.of(key).lock);
    }
}
