/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The exception rule the README and GlobalLockException state: run-time failures are GlobalLockExceptions. */
class ExceptionContractTest {
    @Test
    @DisplayName("a checked exception of a withLock task is a GlobalLockException, with the task's exception as cause")
    void catchingGlobalLockExceptionCatchesAFailedTask() {
        IOException failure = new IOException("disk full");
        try (GlobalLockManager locks = GlobalLockManager.inMemory()) {
            GlobalLockException caught = null;
            try {
                locks.withLock("report", LockOptions.defaults(), () -> {
                    throw failure;
                });
            } catch (GlobalLockException e) {
                caught = e;
            }
            assertThat(caught)
                    .isInstanceOf(LockedTaskException.class)
                    .hasCause(failure)
                    .hasMessage("the task run under lock 'report' failed: java.io.IOException: disk full");
            assertThat(locks.inspect("report").orElseThrow().isHeld())
                    .as("released after the task failed")
                    .isFalse();
        }
    }

    @Test
    @DisplayName("programming errors follow the Java convention, as documented")
    void programmingErrorsAreTheJavaOnes() {
        GlobalLockManager locks = GlobalLockManager.inMemory();
        try (locks) {
            assertThatThrownBy(() -> locks.lock(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> locks.lock(" ")).isInstanceOf(IllegalArgumentException.class);
            LockHandle held = locks.lock("held");
            try (GlobalLockManager other = GlobalLockManager.inMemory()) {
                LockHandle unacquired = other.tryLock("held");
                assertThatThrownBy(unacquired::fencingToken)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("lock 'held' was not acquired, so it has no fencing token");
                assertThatThrownBy(unacquired::release).isInstanceOf(IllegalStateException.class);
            }
            long token = held.fencingToken();
            held.release();
            assertThat(held.fencingToken())
                    .as("a released handle keeps its token")
                    .isEqualTo(token);
            assertThatThrownBy(held::release).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> locks.lock("after-close")).isInstanceOf(IllegalStateException.class);
    }
}
