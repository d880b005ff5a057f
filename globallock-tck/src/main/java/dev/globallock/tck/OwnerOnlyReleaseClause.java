/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.freeFor;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockLostException;
import dev.globallock.LockState;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 2 of the lock contract: releasing never removes a lock that another holder owns, even
 * after the caller's own lease expired; the handle, not the thread, carries ownership.
 *
 * <p>The group "2. owner-only release" of {@link LockEngineCompatibilityKit}.
 */
abstract class OwnerOnlyReleaseClause {
    private final KitContext kit;

    OwnerOnlyReleaseClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("a late release after the lease expired does not free the next holder's lock")
    void lateReleaseDoesNotFreeNewHolder() {
        kit.assumeLeaseTimes();
        GlobalLockManager first = kit.manager();
        GlobalLockManager second = kit.manager();
        GlobalLockManager third = kit.manager();
        LockHandle stale = first.lock("owner", kit.lease(kit.shortLease()));
        long staleToken = stale.fencingToken();
        LockHandle current = second.lock("owner", waitAtMost(kit.patience()));
        assertThat(current.fencingToken()).isGreaterThan(staleToken);
        kit.awaitTrue("the stale handle notices its lease ran out", () -> !stale.isLocked());

        stale.close();

        assertThat(current.isLocked()).isTrue();
        assertThat(freeFor(third, "owner"))
                .as("lock still held by the new holder")
                .isFalse();
        third.inspect("owner").ifPresent(info -> {
            assertThat(info.isHeld()).isTrue();
            info.fencingToken().ifPresent(token -> assertThat(token).isEqualTo(current.fencingToken()));
        });
        current.release();
        assertThat(freeFor(third, "owner")).isTrue();
    }

    @Test
    @DisplayName("release() of an expired lease throws LockLostException and frees nothing else")
    void releaseOfExpiredLeaseReportsLoss() {
        kit.assumeLeaseTimes();
        GlobalLockManager first = kit.manager();
        LockHandle stale = first.lock("expired", kit.lease(kit.shortLease()));
        kit.awaitTrue("the lease runs out", () -> stale.state() == LockState.EXPIRED);
        assertThatThrownBy(stale::release).isInstanceOf(LockLostException.class).hasMessageContaining("expired");
        assertThat(freeFor(kit.manager(), "expired")).isTrue();
    }

    @Test
    @DisplayName("a handle may be released from a thread other than the one that acquired it")
    void releaseFromAnotherThread() throws Exception {
        GlobalLockManager locks = kit.manager();
        LockHandle handle = locks.lock("handoff", waitAtMost(kit.patience()));
        kit.threads(1).submit(handle::release).get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(handle.isLocked()).isFalse();
        assertThat(handle.state()).isEqualTo(LockState.RELEASED);
        assertThat(freeFor(kit.manager(), "handoff")).isTrue();
    }

    @Test
    @DisplayName("close() is idempotent and release() after close() is an IllegalStateException")
    void closeIsIdempotent() {
        GlobalLockManager locks = kit.manager();
        LockHandle handle = locks.lock("idempotent", waitAtMost(kit.patience()));
        handle.close();
        handle.close();
        assertThatThrownBy(handle::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("idempotent");
    }
}
