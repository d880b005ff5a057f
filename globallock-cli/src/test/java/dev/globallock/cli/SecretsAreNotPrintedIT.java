/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password written into an endpoint is never printed by the tool: not in its error message, and
 * not in the stack trace {@code --verbose} adds, whether the endpoint is in the configuration file
 * or comes from an environment variable through {@code ${VAR}}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecretsAreNotPrintedIT {
    private static final String SECRET = "s3cret-pw";
    private static final String ETCD_ENDPOINT = "http://u:" + SECRET + "@127.0.0.1:2411";

    @TempDir
    Path directory;

    @Test
    @DisplayName("an etcd endpoint with a password in the configuration file")
    void etcdEndpointInTheFile() throws Exception {
        try (Tool tool = new Tool(directory, Map.of())) {
            tool.write("globallock.yaml", "engine: etcd\netcd:\n  endpoints: [ \"" + ETCD_ENDPOINT + "\" ]\n");
            assertRejectedWithoutSecret(tool, "'http://******@127.0.0.1:2411'");
        }
    }

    @Test
    @DisplayName("an etcd endpoint with a password from ${VAR}")
    void etcdEndpointFromTheEnvironment() throws Exception {
        try (Tool tool = new Tool(directory, Map.of("ETCD_ENDPOINT", ETCD_ENDPOINT))) {
            tool.write("globallock.yaml", "engine: etcd\netcd:\n  endpoints: [ \"${ETCD_ENDPOINT}\" ]\n");
            assertRejectedWithoutSecret(tool, "'http://******@127.0.0.1:2411'");
        }
    }

    @Test
    @DisplayName("a ZooKeeper connect string with a password from ${VAR}")
    void zooKeeperConnectStringFromTheEnvironment() throws Exception {
        try (Tool tool = new Tool(directory, Map.of("ZK_CONNECT", "u:" + SECRET + "@127.0.0.1:2181"))) {
            tool.write("globallock.yaml", "engine: zookeeper\nzookeeper:\n  connect-string: ${ZK_CONNECT}\n");
            assertRejectedWithoutSecret(tool, "'******@127.0.0.1:2181'");
        }
    }

    private static void assertRejectedWithoutSecret(Tool tool, String masked) throws Exception {
        for (String[] args : new String[][] {
            {"exec", "--name", "demo", "--", "true"}, {"exec", "--verbose", "--name", "demo", "--", "true"}
        }) {
            Tool.Result result = tool.run(args);
            assertThat(result.exitCode).as(result.toString()).isEqualTo(78);
            assertThat(result.err).as(result.toString()).contains(masked).contains("must not carry credentials");
            assertThat(result.out).doesNotContain(SECRET);
            assertThat(result.err).as(result.toString()).doesNotContain(SECRET);
        }
    }
}
