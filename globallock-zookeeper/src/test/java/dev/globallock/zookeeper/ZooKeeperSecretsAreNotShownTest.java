/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import dev.globallock.LockHandle;
import dev.globallock.Secret;
import dev.globallock.tck.fixture.CapturedOutput;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password is never shown: one written into the connect string (ZooKeeper connect strings carry
 * no credentials, so it is refused, masked) in whichever way it was given, and the digest password
 * in {@code toString()} and the logs of an engine that uses it.
 */
@DisplayName("zookeeper engine: a password is never shown")
class ZooKeeperSecretsAreNotShownTest {
    private static final String SECRET = "s3cret-pw";
    private static final String CONNECT = "u:" + SECRET + "@127.0.0.1:2181";
    private static final String MASKED = "'******@127.0.0.1:2181'";

    @Test
    @DisplayName("in the connect string of the configuration map")
    void configMap() {
        assertRejectedWithoutSecret(() -> GlobalLockManager.create(
                Map.of("engine", "zookeeper", "zookeeper", Map.of("connect-string", CONNECT))));
    }

    @Test
    @DisplayName("in the connect string of YAML")
    void yaml() {
        String yaml = "engine: zookeeper\nzookeeper:\n  connect-string: \"" + CONNECT + "\"\n";
        assertRejectedWithoutSecret(() -> GlobalLockManager.fromYaml(new StringReader(yaml)));
    }

    @Test
    @DisplayName("in a connect string given through ${VAR}")
    void environmentVariable(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("globallock.yaml");
        Files.writeString(file, "engine: zookeeper\nzookeeper:\n  connect-string: ${ZK_CONNECT}\n");
        assertRejectedWithoutSecret(() -> GlobalLockManager.builder()
                .environment(name -> name.equals("ZK_CONNECT") ? CONNECT : null)
                .yaml(file)
                .build());
    }

    @Test
    @DisplayName("in the connect string given to the builder")
    void builder() {
        assertRejectedWithoutSecret(() -> ZooKeeperEngineConfig.builder().connectString(CONNECT));
    }

    @Test
    @DisplayName("a digest password is not in the config's, the engine's or the manager's toString() or the logs")
    void digestPassword() {
        try (ZooKeeperServer server = ZooKeeperServer.start();
                CapturedOutput output = CapturedOutput.start()) {
            ZooKeeperEngineConfig config = ZooKeeperEngineConfig.builder()
                    .connectString(server.connectString())
                    .digest("app", Secret.of(SECRET))
                    .build();
            try (GlobalLockManager manager = GlobalLockManager.builder()
                    .engine(ZooKeeperLockEngine.open(config))
                    .build()) {
                try (LockHandle held = manager.lock("report")) {
                    assertThat(config + " " + manager + " " + held)
                            .contains(server.connectString())
                            .doesNotContain(SECRET);
                }
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
