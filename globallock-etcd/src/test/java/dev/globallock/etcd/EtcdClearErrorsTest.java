/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.CapturedOutput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Mistakes a user makes with etcd are reported with the reason a user can act on. */
@DisplayName("etcd engine: errors say what is wrong")
class EtcdClearErrorsTest extends EtcdServerPerClass {

    @Test
    @DisplayName("a port given as text is not a number, in the configuration and in the builder")
    void portAsText() {
        assertThatThrownBy(() -> GlobalLockManager.create(
                        Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of("http://127.0.0.1:abc")))))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("etcd.endpoints was 'http://127.0.0.1:abc' but its port 'abc' is not a number")
                .hasMessageNotContaining("no host");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().endpoints("http://127.0.0.1:abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("etcd endpoint was 'http://127.0.0.1:abc' but its port 'abc' is not a number");
    }

    @Test
    @DisplayName("a port out of range and a host name that cannot be one are named as such")
    void badPortAndHost() {
        assertThatThrownBy(() -> EtcdEngineConfig.builder().endpoints("http://127.0.0.1:99999"))
                .hasMessageContaining("its port 99999 is not between 1 and 65535");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().endpoints("http://my_etcd:2379"))
                .hasMessageContaining("its host 'my_etcd' is not a valid host name");
        assertThatThrownBy(() -> EtcdEngineConfig.builder().endpoints("http://:2379"))
                .hasMessageContaining("it has no host");
    }

    @Test
    @DisplayName("a user and password against a server without authentication say that authentication is off")
    void credentialsWithAuthOff() {
        String password = "s3cret-pw";
        Map<String, Object> config = Map.of(
                "engine",
                "etcd",
                "etcd",
                Map.of("endpoints", List.of(etcd.endpoint()), "user", "app", "password", password));
        try (CapturedOutput output = CapturedOutput.start();
                GlobalLockManager locks = GlobalLockManager.create(config)) {
            assertThatThrownBy(() -> locks.lock(
                            "guarded",
                            LockOptions.builder()
                                    .waitTime(java.time.Duration.ofSeconds(5))
                                    .build()))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'etcd' at " + etcd.endpoint())
                    .hasMessageContaining("authentication is not enabled on the server")
                    .hasMessageContaining("etcd.user")
                    .satisfies(e -> assertThat(CapturedOutput.shown(e)).doesNotContain(password))
                    .satisfies(e -> System.out.println("auth off: " + e.getMessage()));
            assertThat(output.text()).doesNotContain(password);
        }
    }
}
