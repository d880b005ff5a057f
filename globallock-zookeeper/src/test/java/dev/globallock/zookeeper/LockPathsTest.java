/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LockPathsTest {
    private static final List<String> TRICKY = List.of(
            "a/b",
            "a_b",
            "a%2Fb",
            "a%2fb",
            "a:b",
            "a.b",
            "a..b",
            "{a}b",
            "A/B",
            "a b",
            "a/b/",
            "/a/b",
            "/",
            ".",
            "..",
            "%2E",
            "%2E%2E",
            "ünïcødé-锁-🔒",
            "a~b",
            "zookeeper",
            "x".repeat(1024),
            "x".repeat(1023) + "y",
            "\uE000private",
            "\uFFF0special",
            "nbsp\u00A0",
            "é".repeat(300),
            "🔒".repeat(300));

    @Test
    @DisplayName("every key becomes one valid ZooKeeper path segment")
    void validSingleSegments() {
        for (String key : TRICKY) {
            String parent = LockPaths.parentOf(key);
            assertThatCode(() -> PathUtils.validatePath(parent)).as(key).doesNotThrowAnyException();
            assertThatCode(() -> PathUtils.validatePath(LockPaths.nodePrefix(parent) + "0000000001"))
                    .as(key)
                    .doesNotThrowAnyException();
            assertThat(parent.lastIndexOf('/')).as("one segment for '%s'", key).isZero();
            assertThat(parent.length()).isLessThanOrEqualTo(LockPaths.MAX_SEGMENT + 1);
        }
    }

    @Test
    @DisplayName("different keys never share a path, however alike they look")
    void injective() {
        Set<String> seen = new HashSet<>();
        for (String key : TRICKY) {
            assertThat(seen.add(LockPaths.segment(key)))
                    .as("'%s' collides", key)
                    .isTrue();
        }
    }

    @Test
    @DisplayName("readable keys stay readable; reserved characters are percent-escaped")
    void readable() {
        assertThat(LockPaths.segment("orders:42")).isEqualTo("orders:42");
        assertThat(LockPaths.segment("a/b")).isEqualTo("a%2Fb");
        assertThat(LockPaths.segment("a%2Fb")).isEqualTo("a%252Fb");
        assertThat(LockPaths.segment("..")).isEqualTo("%2E%2E");
        assertThat(LockPaths.segment("a~b")).isEqualTo("a%7Eb");
        assertThat(LockPaths.segment("ünï-锁")).isEqualTo("ünï-锁");
        assertThat(LockPaths.segment("🔒")).isEqualTo("%F0%9F%94%92");
    }

    @Test
    @DisplayName("long keys keep a readable prefix and end in a hash")
    void longKeysHashed() {
        String segment = LockPaths.segment("report-" + "x".repeat(1024));
        assertThat(segment).startsWith("report-xxx").contains("~").hasSizeLessThanOrEqualTo(LockPaths.MAX_SEGMENT);
        assertThat(segment.substring(segment.indexOf('~') + 1)).hasSize(40).matches("[0-9A-F]+");
        String escapedLong = LockPaths.segment("/".repeat(100));
        assertThat(escapedLong.substring(0, escapedLong.indexOf('~'))).matches("(%2F)+");
    }

    @Test
    @DisplayName("lock nodes sort by their sequence suffix; foreign children are not lock nodes")
    void sequences() {
        assertThat(LockPaths.sequenceOf("_c_0f7e-lock-0000000042")).hasValue(42);
        assertThat(LockPaths.sequenceOf("lock-2147483647")).hasValue(2147483647L);
        assertThat(LockPaths.sequenceOf("lock-42")).isEmpty();
        assertThat(LockPaths.sequenceOf("readme")).isEmpty();
        assertThat(LockPaths.sequenceOf("_c_x-lock-00000000ab")).isEmpty();
    }
}
