/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Requests that reach etcd long after the engine gave up on them. A member frozen by SIGSTOP (or a
 * long pause of any kind) still holds the requests it had received when it runs again, and applies
 * them, forwarding them to the new leader if need be; this was seen in {@link
 * EtcdClusterFaultsTest}, where a queued waiter's key vanished. Here the late request is sent
 * again by the test, at the worst moment, through {@link HookedClient}.
 */
@DisplayName("etcd engine: requests applied late (by a member that was frozen) do no harm")
class EtcdDelayedRequestsTest extends EtcdServerPerClass {
    private static final String NAMESPACE = "/globallock/";
    private HookedClient hooked;
    private EtcdLockEngine engine;
    private GlobalLockManager manager;
    private GlobalLockManager other;

    @BeforeEach
    void openManagers() {
        hooked = new HookedClient(Client.builder().endpoints(etcd.endpoint()).build());
        engine = EtcdLockEngine.open(EtcdEngineConfig.builder().client(hooked).build());
        manager = GlobalLockManager.builder().engine(engine).build();
        other = GlobalLockManager.create(
                Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(etcd.endpoint()))));
    }

    @AfterEach
    void closeManagers() {
        other.close();
        manager.close();
        hooked.close();
    }

    @Test
    @DisplayName(
            "an answered release leaves no copy in flight: the key's name is reused, and the release is one plain delete")
    void answeredReleaseIsOneDelete() throws Exception {
        LockHandle first = manager.lock("reused");
        KeyValue firstKey = onlyKey("reused");
        hooked.recording = true;
        first.release();
        hooked.recording = false;
        assertThat(hooked.recorded).as("the release sent one request").hasSize(1);
        try (LockHandle second = manager.lock("reused")) {
            assertThat(onlyKey("reused").getKey())
                    .as("the second acquisition reuses the first one's key name")
                    .isEqualTo(firstKey.getKey());
            assertThat(second.isLocked()).isTrue();
        }
        assertThat(engine.strayKeysKept()).as("no name held back").isZero();
    }

    @Test
    @DisplayName(
            "a release whose first delete got no answer and lands after the next acquisition does not delete its key")
    void lateReleaseLeavesTheNextHolderAlone() throws Exception {
        LockHandle first = manager.lock("reused");
        KeyValue firstKey = onlyKey("reused");
        hooked.holdBackNextDelete = true;
        first.release(); // the first delete "times out"; the retry deletes the key
        assertThat(hooked.heldBack)
                .as("the release's first delete was held back")
                .hasSize(1);
        assertThat(keysUnder("reused")).as("released").isEmpty();

        try (LockHandle second = manager.lock("reused")) {
            KeyValue held = onlyKey("reused");
            sendAgain(hooked.heldBack); // the late delete lands now

            assertThat(keysUnder("reused"))
                    .as("the second holder's key survives the first release's late delete")
                    .extracting(KeyValue::getCreateRevision)
                    .containsExactly(held.getCreateRevision());
            try (LockHandle probe = other.tryLock("reused")) {
                assertThat(probe.isLocked())
                        .as("another manager still finds the lock held")
                        .isFalse();
            }
            assertThat(second.isLocked()).isTrue();
            assertThat(held.getKey())
                    .as("the name the late delete could hit is not reused")
                    .isNotEqualTo(firstKey.getKey());
        }
    }

    @Test
    @DisplayName(
            "an acquire whose answer was lost and which lands after the release leaves no key that blocks the lock")
    void lateAcquireLeavesNoStrayKey() throws Exception {
        hooked.holdBackNextTxn = true;
        try (LockHandle held = manager.lock("late")) {
            assertThat(hooked.heldBack)
                    .as("the first acquire transaction was held back")
                    .hasSize(1);
            assertThat(held.isLocked()).isTrue();
        }
        assertThat(keysUnder("late")).as("released").isEmpty();

        sendAgain(hooked.heldBack); // the guarded put lands now: the key is absent, so it is created
        assertThat(keysUnder("late"))
                .as("the late put re-created the key on the live session lease")
                .hasSize(1);

        Optional<LockHandle> taken = Optional.empty();
        try (LockHandle next = other.lock(
                "late", LockOptions.builder().waitTime(Duration.ofSeconds(10)).build())) {
            taken = Optional.of(next);
            assertThat(next.isLocked()).isTrue();
        }
        assertThat(taken)
                .as("another manager got the lock well within the session lease (30 s)")
                .isPresent();
        Await.until(
                Duration.ofSeconds(5),
                () -> keysUnder("late").isEmpty(),
                () -> "the stray key is gone; keys: " + keysUnder("late"));
        assertThat(engine.strayKeysKept())
                .as("the key name stays watched while its session lease lives")
                .isEqualTo(1);
        try (LockHandle again = manager.lock("late")) {
            assertThat(again.isLocked())
                    .as("the engine takes the lock again, under another name")
                    .isTrue();
        }
    }

    private static void sendAgain(List<Supplier<CompletableFuture<?>>> requests) throws Exception {
        for (Supplier<CompletableFuture<?>> request : requests) {
            request.get().get(10, TimeUnit.SECONDS);
        }
    }

    private KeyValue onlyKey(String lock) {
        List<KeyValue> keys = keysUnder(lock);
        assertThat(keys).as("keys of lock '%s'", lock).hasSize(1);
        return keys.get(0);
    }

    private List<KeyValue> keysUnder(String lock) {
        try {
            return EtcdTesting.keysUnder(admin, NAMESPACE, lock);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
