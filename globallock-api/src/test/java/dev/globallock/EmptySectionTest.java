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
 * A section written with no keys under it is an empty section however the source spells it: YAML
 * reads {@code watchdog:} as null, Spring's property sources and properties files as an empty
 * string. Anything else that is not a mapping is still a problem.
 */
class EmptySectionTest {
    @Test
    void anEmptyStringIsAnEmptySection() {
        try (GlobalLockManager manager =
                GlobalLockManager.create(Map.of("engine", "memory", "watchdog", "", "defaults", " "))) {
            assertThat(manager.engineName()).isEqualTo("memory");
        }
    }

    @Test
    void textWhereASectionBelongsIsStillAProblem() {
        assertThatThrownBy(() -> GlobalLockManager.create(Map.of("engine", "memory", "watchdog", "30s")))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("watchdog was '30s' but it must be a section of keys");
    }
}
