/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import dev.globallock.Secret;
import dev.globallock.tck.fixture.CapturedOutput;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password written into an etcd endpoint is never shown: not in the message, the stack trace,
 * {@code toString()} or the logs, whichever way the endpoint was given; the endpoint is shown with
 * its user-info masked.
 */
@DisplayName("etcd engine: a password in an endpoint is never shown")
class EtcdSecretsAreNotShownTest {
    private static final String SECRET = "s3cret-pw";
    private static final String ENDPOINT = "http://u:" + SECRET + "@127.0.0.1:2411";
    private static final String MASKED = "'http://******@127.0.0.1:2411'";

    @Test
    @DisplayName("in the configuration map")
    void configMap() {
        assertRejectedWithoutSecret(() ->
                GlobalLockManager.create(Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(ENDPOINT)))));
    }

    @Test
    @DisplayName("in YAML")
    void yaml() {
        String yaml = "engine: etcd\netcd:\n  endpoints: [ \"" + ENDPOINT + "\" ]\n";
        assertRejectedWithoutSecret(() -> GlobalLockManager.fromYaml(new StringReader(yaml)));
    }

    @Test
    @DisplayName("through ${VAR} in a YAML file")
    void environmentVariable(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("globallock.yaml");
        Files.writeString(file, "engine: etcd\netcd:\n  endpoints: [ \"${ETCD_ENDPOINT}\" ]\n");
        assertRejectedWithoutSecret(() -> GlobalLockManager.builder()
                .environment(name -> name.equals("ETCD_ENDPOINT") ? ENDPOINT : null)
                .yaml(file)
                .build());
    }

    @Test
    @DisplayName("among other problems: a mix of http and https endpoints, which lists them all")
    void mixedSchemes() {
        assertRejectedWithoutSecret(() -> GlobalLockManager.create(Map.of(
                "engine",
                "etcd",
                "etcd",
                Map.of("endpoints", List.of("http://127.0.0.1:2413", "https://127.0.0.1:2412", ENDPOINT)))));
    }

    @Test
    @DisplayName("given to the builder as text or as a URI")
    void builder() {
        assertRejectedWithoutSecret(() -> EtcdEngineConfig.builder().endpoints(ENDPOINT));
        assertRejectedWithoutSecret(() -> EtcdEngineConfig.builder().endpoints(List.of(URI.create(ENDPOINT))));
    }

    @Test
    @DisplayName("a password given the right way is not in the config's, the engine's or the manager's toString()")
    void toStrings() {
        try (CapturedOutput output = CapturedOutput.start()) {
            EtcdEngineConfig config = EtcdEngineConfig.builder()
                    .endpoints("http://127.0.0.1:2411")
                    .user("u")
                    .password(Secret.of(SECRET))
                    .build();
            try (EtcdLockEngine engine = EtcdLockEngine.open(config);
                    GlobalLockManager manager =
                            GlobalLockManager.builder().engine(engine).build()) {
                assertThat(config + " " + engine + " " + manager)
                        .contains("http://127.0.0.1:2411")
                        .doesNotContain(SECRET);
            }
            assertThat(output.text()).doesNotContain(SECRET);
        }
    }

    private static void assertRejectedWithoutSecret(Runnable configure) {
        Throwable failure;
        String output;
        try (CapturedOutput captured = CapturedOutput.start()) {
            failure = catchThrowable(configure::run);
            output = captured.text();
        }
        assertThat(failure).as("rejected").isInstanceOfAny(LockConfigException.class, IllegalArgumentException.class);
        assertThat(failure.getMessage()).contains(MASKED).contains("must not carry credentials");
        assertThat(CapturedOutput.shown(failure)).doesNotContain(SECRET);
        assertThat(output).doesNotContain(SECRET);
        System.out.println("rejected: " + failure.getMessage());
    }
}
