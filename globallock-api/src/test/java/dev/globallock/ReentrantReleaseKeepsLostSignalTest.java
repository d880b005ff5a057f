package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Releasing an inner hold of a reentrant lock cancels that handle's lost() futures and leaves the
 * outer hold's armed.
 */
class ReentrantReleaseKeepsLostSignalTest {
    @Test
    void anInnerReleaseDoesNotCancelTheOuterHandlesLostFuture() {
        Map<String, Object> config =
                Map.of("engine", "memory", "memory", Map.of("namespace", "reentrant-" + UUID.randomUUID()));
        try (GlobalLockManager manager = GlobalLockManager.create(config)) {
            LockHandle outer = manager.lock("nested");
            CompletableFuture<Void> outerLost = outer.lost();
            LockHandle inner = manager.lock("nested");
            CompletableFuture<Void> innerLost = inner.lost();
            inner.close();
            assertThat(outer.state()).isEqualTo(LockState.HELD);
            assertThat(outerLost).as("outer lost() after the inner release").isNotDone();
            assertThat(innerLost).as("inner lost() after the inner release").isCancelled();
            assertThat(inner.lost()).as("lost() asked after the inner release").isCancelled();
            outer.close();
            assertThat(outerLost).as("outer lost() after the last release").isCancelled();
        }
    }
}
