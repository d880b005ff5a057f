/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** docs/fencing.md: a holder whose lease ran out is refused by the resource once a later holder wrote. */
class FencedStoreTest {
    @Test
    void aStaleHolderIsRefusedAfterTheNextHolderWrote() {
        String namespace = "fencing-" + UUID.randomUUID();
        FencedStore store = new FencedStore();
        try (GlobalLockManager first =
                        GlobalLockManager.create(Map.of("engine", "memory", "memory", Map.of("namespace", namespace)));
                GlobalLockManager second = GlobalLockManager.create(
                        Map.of("engine", "memory", "memory", Map.of("namespace", namespace)))) {
            LockHandle paused = first.lock(
                    "invoice-42",
                    LockOptions.builder().leaseTime(Duration.ofMillis(200)).build());
            store.write("invoice-42", "settling", paused.fencingToken());

            // the first holder stalls past its lease; the lock passes on
            Await.until(Duration.ofSeconds(10), () -> !paused.isLocked(), () -> "the first lease ran out");
            long nextToken;
            try (LockHandle next = second.lock("invoice-42")) {
                nextToken = next.fencingToken();
                assertThat(nextToken).isGreaterThan(paused.fencingToken());
                store.write("invoice-42", "refunded", nextToken);
            }

            assertThatThrownBy(() -> store.write("invoice-42", "settled", paused.fencingToken()))
                    .isInstanceOf(FencedStore.StaleTokenException.class)
                    .hasMessage("write to 'invoice-42' with fencing token " + paused.fencingToken() + " refused: token "
                            + nextToken + " was seen already");
            assertThat(store.read("invoice-42")).contains("refunded");
            paused.close();
        }
    }

    @Test
    void theExamplesRunOnTheMemoryEngine() {
        try (GlobalLockManager locks = GlobalLockManager.create(
                Map.of("engine", "memory", "memory", Map.of("namespace", "examples-" + UUID.randomUUID())))) {
            FencedStore store = new FencedStore();
            FencedWrites.settle(locks, store);
            assertThat(store.read("invoice-42")).contains("settled");
            int[] runs = {0};
            UsingTheApi.calls(locks, () -> runs[0]++);
            assertThat(runs[0]).isEqualTo(2);
            UsingTheApi.lostLeases(locks);
        }
    }
}
