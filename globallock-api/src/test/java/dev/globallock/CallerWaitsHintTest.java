package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.memory.MemoryLockEngine;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.ForwardingLockEngine;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The manager tells the engine when its caller blocks on the future at once (lock, tryLock, a
 * handle's release) and when it does not (lockAsync, an async handle's release from the async API),
 * so an engine may run the I/O on the waiting thread.
 */
class CallerWaitsHintTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @Test
    void blockingCallsSayTheCallerWaits() {
        try (GlobalLockManager manager = manager()) {
            manager.lock("blocking").close();
            manager.tryLock("single", LockOptions.builder().noWait().build()).close();
            assertThat(calls)
                    .containsExactly(
                            "acquire blocking, caller waits",
                            "release, caller waits",
                            "acquire single, caller waits",
                            "release, caller waits");
        }
    }

    @Test
    void asyncAcquisitionsDoNotClaimTheCaller() throws Exception {
        try (GlobalLockManager manager = manager()) {
            LockHandle handle = manager.lockAsync(
                            "async", LockOptions.builder().waitForever().build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(calls).containsExactly("acquire async, caller goes on");
            handle.close();
            assertThat(calls).hasSize(2).last().isEqualTo("release, caller waits");
        }
    }

    private GlobalLockManager manager() {
        MemoryLockEngine memory = MemoryLockEngine.open("hint-" + UUID.randomUUID());
        return GlobalLockManager.builder().engine(new Recording(memory)).build();
    }

    /** Records the hints it is given and forwards everything to the memory engine. */
    private final class Recording extends ForwardingLockEngine {
        Recording(LockEngine delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
            calls.add("acquire " + request.name() + (request.callerWaits() ? ", caller waits" : ", caller goes on"));
            return super.acquire(request);
        }

        @Override
        public CompletableFuture<Void> release(LockGrant grant) {
            calls.add("release, caller goes on");
            return super.release(grant);
        }

        @Override
        public CompletableFuture<Void> release(LockGrant grant, boolean callerWaits) {
            calls.add("release" + (callerWaits ? ", caller waits" : ", caller goes on"));
            return super.release(grant, callerWaits);
        }
    }
}
