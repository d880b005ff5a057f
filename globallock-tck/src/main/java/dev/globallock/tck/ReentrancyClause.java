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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clause 5 of the lock contract: the same thread of the same manager reacquires at once without a
 * round trip, and the last close releases.
 *
 * <p>The group "5. reentrancy" of {@link LockEngineCompatibilityKit}.
 */
abstract class ReentrancyClause {
    private final KitContext kit;

    ReentrancyClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    @Test
    @DisplayName("the same thread reacquires at once, without a round trip, and the last close releases")
    void sameThreadReenters() {
        AtomicReference<GlobalLockManager> out = new AtomicReference<>();
        CountingEngine engine = kit.countingManager(out, null);
        GlobalLockManager locks = out.get();
        GlobalLockManager other = kit.manager();
        LockHandle outer = locks.lock("reentrant", waitAtMost(kit.patience()));
        int acquiresBefore = engine.acquires.get();
        LockHandle inner = locks.lock("reentrant", waitAtMost(kit.patience()));
        assertThat(engine.acquires.get())
                .as("round trips for the reentrant acquire")
                .isEqualTo(acquiresBefore);
        assertThat(inner.fencingToken()).isEqualTo(outer.fencingToken());
        assertThat(outer.holdCount()).isEqualTo(2);
        inner.close();
        assertThat(outer.holdCount()).isEqualTo(1);
        assertThat(freeFor(other, "reentrant"))
                .as("still held after the inner close")
                .isFalse();
        outer.close();
        assertThat(freeFor(other, "reentrant")).isTrue();
    }

    @Test
    @DisplayName("another thread of the same manager does not reenter")
    void otherThreadDoesNotReenter() throws Exception {
        GlobalLockManager locks = kit.manager();
        LockHandle held = locks.lock("mine", waitAtMost(kit.patience()));
        Boolean otherGotIt = kit.threads(1)
                .submit(() -> {
                    try (LockHandle attempt = locks.tryLock("mine")) {
                        return attempt.isLocked();
                    }
                })
                .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(otherGotIt).isFalse();
        held.release();
    }

    @Test
    @DisplayName("the java.util.concurrent view is thread-owned and reentrant")
    void jucViewIsThreadOwned() throws Exception {
        GlobalLockManager locks = kit.manager();
        Lock lock = locks.asLock("juc");
        lock.lock();
        assertThat(lock.tryLock()).as("reentrant").isTrue();
        Boolean unlockedElsewhere = kit.threads(1)
                .submit(() -> {
                    try {
                        lock.unlock();
                        return true;
                    } catch (IllegalMonitorStateException e) {
                        return false;
                    }
                })
                .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(unlockedElsewhere).isFalse();
        lock.unlock();
        assertThat(freeFor(kit.manager(), "juc")).isFalse();
        lock.unlock();
        assertThat(freeFor(kit.manager(), "juc")).isTrue();
        assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
    }
}
