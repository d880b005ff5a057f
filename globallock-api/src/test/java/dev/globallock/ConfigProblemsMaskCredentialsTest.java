/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.spi.ConfigSection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A value of the wrong shape is echoed in the problem it causes, but not what may be a credential
 * inside it: an endpoint's user-info, or the value of a key that names a secret.
 */
class ConfigProblemsMaskCredentialsTest {
    @Test
    void anEndpointInsideAListOfSectionsIsShownWithoutItsCredentials() {
        ConfigSection root = ConfigLoader.section(
                Map.of(
                        "nodes",
                        List.of(Map.of("uri", "redis://app:s3cret-pw@127.0.0.1:6379", "password", "s3cret-other"))),
                name -> null);
        root.stringList("nodes");
        assertThatThrownBy(root::validate)
                .isInstanceOf(LockConfigException.class)
                .satisfies(e -> {
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString())
                            .contains("nodes was '[{")
                            .contains("redis://******@127.0.0.1:6379")
                            .contains("password=******")
                            .contains("it must be a list of text values")
                            .doesNotContain("s3cret");
                });
    }

    @Test
    void aPlainValueIsShownAsGiven() {
        ConfigSection root = ConfigLoader.section(Map.of("nodes", Map.of("host", "127.0.0.1")), name -> null);
        root.stringList("nodes");
        assertThatThrownBy(root::validate).hasMessageContaining("nodes was '{host=127.0.0.1}'");
    }
}
