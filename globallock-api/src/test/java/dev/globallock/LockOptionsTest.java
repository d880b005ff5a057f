/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LockOptionsTest {
    @Test
    void defaultsLeaveEverythingToTheManager() {
        LockOptions defaults = LockOptions.defaults();
        assertThat(defaults.usesDefaultWait()).isTrue();
        assertThat(defaults.waitsForever()).isFalse();
        assertThat(defaults.waitTime()).isEmpty();
        assertThat(defaults.leaseTime()).isEmpty();
        assertThat(LockOptions.builder().build()).isSameAs(defaults);
    }

    @Test
    void builderKeepsWhatWasSet() {
        LockOptions options = LockOptions.builder()
                .waitTime(Duration.ofSeconds(5))
                .leaseTime(Duration.ofSeconds(30))
                .build();
        assertThat(options.waitTime()).contains(Duration.ofSeconds(5));
        assertThat(options.leaseTime()).contains(Duration.ofSeconds(30));
        assertThat(options.usesDefaultWait()).isFalse();
        assertThat(options).hasToString("LockOptions{wait=5s, lease=30s}");
        assertThat(options)
                .isEqualTo(LockOptions.builder()
                        .waitTime(Duration.ofSeconds(5))
                        .leaseTime(Duration.ofSeconds(30))
                        .build());
        assertThat(LockOptions.builder().waitForever().build().waitsForever()).isTrue();
        assertThat(LockOptions.builder().noWait().build().waitTime()).contains(Duration.ZERO);
    }

    @Test
    void builderRejectsBadValuesAndSecondSettings() {
        assertThatThrownBy(() -> LockOptions.builder().waitTime(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> LockOptions.builder().leaseTime(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> LockOptions.builder().noWait().waitForever())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() ->
                        LockOptions.builder().leaseTime(Duration.ofSeconds(1)).leaseTime(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LockOptions.builder().waitTime(null)).isInstanceOf(NullPointerException.class);
    }
}
