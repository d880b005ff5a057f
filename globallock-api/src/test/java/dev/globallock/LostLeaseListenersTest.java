/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Who a lost lease tells, and in what order: every listener once, in the order added, then the lost future. */
class LostLeaseListenersTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final HeldLock lease = new HeldLock("told", "told", true, 30_000_000_000L, now::get);

    @Test
    void everyListenerIsToldOnceInTheOrderAddedThenTheLostFuture() {
        List<String> told = new ArrayList<>();
        CompletableFuture<Void> lost = lease.lostFuture();
        lost.whenComplete((ignored, failure) -> told.add("future"));
        for (int i = 0; i < 7; i++) { // more than the first array holds, so it grows twice
            String id = "listener " + i;
            lease.onLost(() -> told.add(id));
        }
        lease.granted(() -> 1L, now.get());

        lease.leaseLost(new LockLostException("told", "the backend dropped it"));
        lease.leaseLost(new LockLostException("told", "told again"));

        assertThat(told)
                .containsExactly(
                        "listener 0",
                        "listener 1",
                        "listener 2",
                        "listener 3",
                        "listener 4",
                        "listener 5",
                        "listener 6",
                        "future");
        assertThat(lost).isCompleted().isNotCancelled();
    }

    @Test
    void aHandleReleasedBeforeTheLossIsNotToldAndAListenerThatThrowsStopsNoOther() {
        List<String> told = new ArrayList<>();
        lease.granted(() -> 1L, now.get());
        lease.onLost(handleListener(false, () -> told.add("released handle")));
        lease.onLost(() -> {
            throw new IllegalStateException("a listener that throws");
        });
        lease.onLost(handleListener(true, () -> told.add("open handle")));

        lease.leaseLost(null);

        assertThat(told).containsExactly("open handle");
    }

    @Test
    void aListenerAddedAfterTheLossRunsAtOnceAndAReleasedLeaseCancelsItsFuture() {
        lease.granted(() -> 1L, now.get());
        lease.leaseLost(null);
        List<String> told = new ArrayList<>();
        lease.onLost(() -> told.add("late"));
        assertThat(told).containsExactly("late");

        HeldLock released = new HeldLock("released", "released", true, 30_000_000_000L, now::get);
        released.granted(() -> 1L, now.get());
        CompletableFuture<Void> lost = released.lostFuture();
        released.release();
        assertThat(lost).isCancelled();
        assertThat(released.lostFuture()).isSameAs(lost);
    }

    private static LostLeaseListeners.HandleListener handleListener(boolean open, Runnable run) {
        return new LostLeaseListeners.HandleListener() {
            @Override
            public boolean wanted() {
                return open;
            }

            @Override
            public void run() {
                run.run();
            }
        };
    }
}
