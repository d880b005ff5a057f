/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.freeFor;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Inspection, lock names and options: {@code inspect()} tells free from held, bad names are
 * rejected clearly and unusual names work.
 *
 * <p>The group "8. inspection, names and options" of {@link LockEngineCompatibilityKit}.
 */
abstract class NamesAndInspectionClause {
    private final KitContext kit;

    NamesAndInspectionClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("inspect() tells a free lock from a held one, with the holder's token where it can")
    void inspectReportsHolder() {
        GlobalLockManager locks = kit.manager();
        Optional<LockInfo> free = locks.inspect("inspected");
        assumeTrue(free.isPresent(), "the engine cannot inspect locks");
        assertThat(free.get().isHeld()).isFalse();
        try (LockHandle held = locks.lock("inspected", waitAtMost(kit.patience()))) {
            LockInfo info = kit.manager().inspect("inspected").orElseThrow();
            assertThat(info.isHeld()).isTrue();
            info.fencingToken().ifPresent(token -> assertThat(token).isEqualTo(held.fencingToken()));
        }
        assertThat(locks.inspect("inspected").orElseThrow().isHeld()).isFalse();
    }

    @Test
    @DisplayName("empty, blank, control-character and oversized names are rejected with a clear error")
    void badNamesRejected() {
        GlobalLockManager locks = kit.manager();
        assertThatThrownBy(() -> locks.lock(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> locks.tryLock("   "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> locks.tryLock("bad\u0000name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> locks.tryLock(null)).isInstanceOf(NullPointerException.class);
        String huge = "x".repeat(locks.capabilities().maximumKeyBytes() + 1);
        assertThatThrownBy(() -> locks.tryLock(huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @Test
    @DisplayName("names with braces, spaces, slashes, dots, unicode and 1 KB length work")
    void unusualNamesWork() {
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        List<String> names =
                List.of("{tag}", "}{", "with space", "a/b/c", "..", ".", "/", "ünïcødé-锁-🔒", "x".repeat(1024));
        for (String name : names) {
            try (LockHandle held = first.lock(name, waitAtMost(kit.patience()))) {
                assertThat(held.isLocked()).as("'%s' acquired", name).isTrue();
                assertThat(held.name()).isEqualTo(name);
                assertThat(freeFor(second, name)).as("'%s' exclusive", name).isFalse();
            }
            assertThat(freeFor(second, name)).as("'%s' released", name).isTrue();
        }
    }
}
