/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.FreePorts;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Unusual names work and are stored apart; wrong credentials and dead endpoints fail clearly and soon. */
@DisplayName("etcd engine: bad input")
class EtcdBadInputTest {
    private static final String ROOT_PASSWORD = "s3cret-Root-pw";
    private static EtcdServer etcd;
    private static Client admin;

    @BeforeAll
    static void startServer() {
        etcd = EtcdServer.start(EtcdServer.Options.withAuth(ROOT_PASSWORD));
        admin = Client.builder()
                .endpoints(etcd.endpoint())
                .user(EtcdKeys.bytes("root"))
                .password(EtcdKeys.bytes(ROOT_PASSWORD))
                .build();
    }

    @AfterAll
    static void stopServer() {
        admin.close();
        etcd.close();
    }

    private static Map<String, Object> config(String user, String password) {
        return Map.of(
                "engine",
                "etcd",
                "etcd",
                Map.of(
                        "endpoints",
                        List.of(etcd.endpoint()),
                        "user",
                        user,
                        "password",
                        password,
                        "request-timeout",
                        "2s"));
    }

    @Test
    @DisplayName("names with slashes, unicode and 1 KB work, each under its own escaped directory")
    void unusualNames() throws Exception {
        try (GlobalLockManager locks = GlobalLockManager.create(config("root", ROOT_PASSWORD))) {
            String kilobyte = "k".repeat(1024);
            for (String name : List.of("a/b", "a", "a%2Fb", "/", "ünïcødé/锁/🔒", kilobyte)) {
                try (LockHandle held = locks.lock(name)) {
                    List<KeyValue> keys = EtcdTesting.keysUnder(admin, EtcdEngineConfig.DEFAULT_NAMESPACE, name);
                    assertThat(keys).as("keys of '%s'", name).hasSize(1);
                    String stored = keys.get(0).getKey().toString(StandardCharsets.UTF_8);
                    assertThat(stored)
                            .startsWith(EtcdEngineConfig.DEFAULT_NAMESPACE + EtcdKeys.escape(name) + "/")
                            .matches(".*/[0-9a-f]{1,16}-0$");
                    assertThat(stored.substring(EtcdEngineConfig.DEFAULT_NAMESPACE.length()))
                            .as("exactly one '/' after the namespace: directories never nest")
                            .containsOnlyOnce("/");
                    assertThat(held.fencingToken()).isEqualTo(keys.get(0).getCreateRevision());
                }
            }
        }
    }

    @Test
    @DisplayName(
            "a wrong password fails the first acquire at once, naming engine, endpoint and lock but not the password")
    void wrongPassword() {
        try (GlobalLockManager locks = GlobalLockManager.create(config("root", "not-the-password"))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(
                            "guarded", LockOptions.builder().waitForever().build()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'etcd'")
                    .hasMessageContaining(etcd.endpoint())
                    .hasMessageContaining("'guarded'")
                    .hasMessageContaining("authentication failed")
                    .hasMessageNotContaining("not-the-password")
                    .satisfies(e -> System.out.println("wrong password: " + e.getMessage()));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        }
    }

    @Test
    @DisplayName("an unknown user fails the same way")
    void unknownUser() {
        try (GlobalLockManager locks = GlobalLockManager.create(config("nobody", ROOT_PASSWORD))) {
            assertThatThrownBy(() -> locks.tryLock("guarded"))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("authentication failed")
                    .hasMessageNotContaining(ROOT_PASSWORD);
        }
    }

    @Test
    @DisplayName("no credentials on a server with auth fails clearly")
    void missingCredentials() {
        try (GlobalLockManager locks = GlobalLockManager.create(
                Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint()))))) {
            assertThatThrownBy(() -> locks.tryLock("guarded"))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'etcd'")
                    .hasMessageContaining("'guarded'")
                    .satisfies(e -> System.out.println("no credentials: " + e.getMessage()));
        }
    }

    @Test
    @DisplayName("no reachable endpoint: even an unbounded wait fails within two request timeouts and a bit")
    void noReachableEndpoint() {
        int closed = FreePorts.next();
        try (GlobalLockManager locks = GlobalLockManager.create(EtcdTesting.unreachableConfig(closed))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock(
                            "nowhere", LockOptions.builder().waitForever().build()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'etcd' at http://127.0.0.1:" + closed)
                    .hasMessageContaining("'nowhere'")
                    .satisfies(e -> System.out.println("unreachable: " + e.getMessage()));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(8_000);

            start = System.nanoTime();
            assertThatThrownBy(() -> locks.tryLock("nowhere")).isInstanceOf(LockBackendException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        }
    }
}
