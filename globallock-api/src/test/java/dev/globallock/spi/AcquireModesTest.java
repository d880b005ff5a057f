/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An AcquireRequest's mode: made from a plain request, kept through withListener, shown in toString. */
class AcquireModesTest {
    private static final LeaseListener NOBODY = new LeaseListener() {
        @Override
        public void leaseLost(Throwable cause) {}

        @Override
        public void ownershipUncertain() {}

        @Override
        public void ownershipConfirmed() {}
    };

    private static AcquireRequest plain() {
        return AcquireRequest.builder()
                .name("x")
                .key("p:x")
                .watchdogLease(Duration.ofSeconds(30))
                .listener(NOBODY)
                .build();
    }

    @Test
    void modes() {
        LockGrant write = () -> 7;
        AcquireRequest permit = plain().withPermits(3);
        assertThat(permit.mode()).isEqualTo(AcquireMode.PERMIT);
        assertThat(permit.permits()).isEqualTo(3);
        assertThat(permit.withListener(NOBODY).permits())
                .as("kept by withListener")
                .isEqualTo(3);
        assertThat(permit.toString()).contains("PERMIT of 3").contains("'p:x'");
        AcquireRequest read = plain().withDowngrade(write);
        assertThat(read.mode()).isEqualTo(AcquireMode.READ);
        assertThat(read.downgrading()).containsSame(write);
        assertThat(read.withMode(AcquireMode.WRITE).downgrading()).isEmpty();
        assertThat(read.withMode(AcquireMode.EXCLUSIVE).getClass()).isEqualTo(AcquireRequest.class);
        assertThat(plain().withMode(AcquireMode.READ).watchdog()).isTrue();
        assertThatThrownBy(() -> plain().withMode(AcquireMode.PERMIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("withPermits");
        assertThatThrownBy(() -> plain().withPermits(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be at least 1 but was 0");
    }
}
