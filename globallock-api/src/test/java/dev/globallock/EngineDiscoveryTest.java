/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test class path registers two broken providers (one throws in its constructor, one names a
 * missing class) next to the memory engine.
 */
class EngineDiscoveryTest {
    @Test
    void brokenProvidersDoNotHideTheOthers() {
        assertThat(GlobalLockManager.availableEngines()).containsKey("memory").doesNotContainKey("broken");
        try (GlobalLockManager locks = GlobalLockManager.create(Map.of("engine", "memory"))) {
            assertThat(locks.engineName()).isEqualTo("memory");
        }
    }

    @Test
    void anUnknownEngineMentionsTheProvidersThatFailedToLoad() {
        assertThatThrownBy(() -> GlobalLockManager.create(Map.of("engine", "zookeeper")))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("engine was 'zookeeper' but no engine of that name is on the class path; found: ")
                .hasMessageContaining("(add the dev.globallock:globallock-zookeeper artifact for 'zookeeper')")
                .hasMessageContaining("providers that failed to load")
                .hasMessageContaining("dev.globallock.no.such.Provider");
    }
}
