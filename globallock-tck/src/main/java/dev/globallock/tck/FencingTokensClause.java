/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 6 of the lock contract: every acquisition's token is greater than every token before it,
 * also after a holder crashed.
 *
 * <p>The group "6. fencing tokens" of {@link LockEngineCompatibilityKit}.
 */
abstract class FencingTokensClause {
    private final KitContext kit;

    FencingTokensClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("every acquisition's token is greater than all before it, across holders and managers")
    void tokensStrictlyIncrease() {
        List<GlobalLockManager> holders = List.of(kit.manager(), kit.manager(), kit.manager());
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 15; i++) {
            try (LockHandle lock = holders.get(i % holders.size()).lock("fence", waitAtMost(kit.patience()))) {
                assertThat(lock.fencingToken()).isGreaterThan(last);
                last = lock.fencingToken();
            }
        }
    }

    @Test
    @DisplayName("a token granted after a crash is greater than the crashed holder's")
    void tokensIncreaseAfterCrash() {
        Duration lease = kit.shortLease().multipliedBy(2);
        AtomicReference<GlobalLockManager> crashing = new AtomicReference<>();
        CountingEngine engine = kit.countingManager(crashing, lease);
        LockHandle first = crashing.get().lock("fence-crash", waitAtMost(kit.patience()));
        kit.crash(engine);
        try (LockHandle second = kit.manager()
                .lock("fence-crash", waitAtMost(kit.crashRecoveryBound(lease).plusSeconds(5)))) {
            assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        }
    }
}
