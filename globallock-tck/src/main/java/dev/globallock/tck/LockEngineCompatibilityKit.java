/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import dev.globallock.GlobalLockManager;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * The lock contract of DESIGN.md, checked against a live backend. An engine module extends it once
 * per topology and supplies the configuration of a manager on that backend; several managers of the
 * same configuration stand for several processes.
 *
 * <pre>{@code
 * class RedisLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
 *     static RedisServer redis = RedisServer.start();
 *     protected Map<String, Object> engineConfig() { return Map.of("engine", "redis", "redis", Map.of("nodes", List.of(redis.uri()))); }
 *     ...
 * }
 * }</pre>
 *
 * <p>Each group of tests below is one clause of the contract, written in its own file ({@code
 * MutualExclusionClause}, {@code WaitingClause}, ...) and run here as a {@code @Nested} class.
 * Every test uses its own key prefix, so tests never see each other's locks, and closes every
 * manager it opened. Waits are bounded by {@link #patience()}; nothing sleeps to dodge a race.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class LockEngineCompatibilityKit {
    private KitContext context;

    /**
     * The configuration of a manager on the live backend: {@code engine} and the engine's section.
     * The kit adds {@code key-prefix} and {@code watchdog.lease}.
     */
    protected abstract Map<String, Object> engineConfig();

    /** A configuration whose backend cannot be reached (a closed port), with short timeouts. */
    protected abstract Map<String, Object> unreachableConfig();

    /**
     * Makes the backend forget the lock stored under the (prefixed) key without telling its holder:
     * delete the key or node, or revoke the lease.
     */
    protected abstract void forgetOnBackend(String key) throws Exception;

    /** The shortest lease the engine honours reliably in tests. */
    protected Duration shortLease() {
        return Duration.ofSeconds(1);
    }

    /** How long the kit waits for something that should happen soon. */
    protected Duration patience() {
        return Duration.ofSeconds(20);
    }

    /**
     * The longest time a crashed holder's lock may stay taken, for a manager with this watchdog
     * lease: one lease plus slack by default. Engines whose sessions outlive the lease override it.
     */
    protected Duration crashRecoveryBound(Duration watchdogLease) {
        return watchdogLease.plus(Duration.ofSeconds(3));
    }

    /**
     * Whether the engine tells a semaphore user whose permits disagree with the holders' (an {@link
     * IllegalArgumentException}); an engine whose backend cannot tell overrides it with false and
     * says so in its documentation.
     */
    protected boolean detectsPermitsDisagreement() {
        return true;
    }

    @BeforeEach
    void newPrefix() {
        context().newPrefix();
    }

    @AfterEach
    void closeEverything() {
        context().closeEverything();
    }

    // ------------------------------------------------------------------------------ helpers

    /** A manager with the default watchdog lease. */
    protected final GlobalLockManager manager() {
        return context().manager();
    }

    /** A manager whose watchdog lease is {@code lease}. */
    protected final GlobalLockManager managerWithWatchdogLease(Duration lease) {
        return context().managerWithWatchdogLease(lease);
    }

    /** A manager built from {@link #engineConfig()} with this test's key prefix, customised. */
    protected final GlobalLockManager manager(Consumer<GlobalLockManager.Builder> customizer) {
        return context().manager(customizer);
    }

    /** The backend key of a lock name in this test. */
    protected final String keyOf(String name) {
        return context().keyOf(name);
    }

    /** Waits until the condition holds, failing with the description after {@link #patience()}. */
    protected final void awaitTrue(String description, BooleanSupplier condition) {
        context().awaitTrue(description, condition);
    }

    /**
     * What this test's clause classes use: its managers, key prefix and waits. Made on first use
     * (by the constructor of the test's nested class, on JUnit's thread), not in the kit's
     * constructor, so that no reference to a half-built kit escapes.
     */
    final KitContext context() {
        if (context == null) {
            context = new KitContext(this);
        }
        return context;
    }

    // ------------------------------------------------------------------------------ contract

    @Nested
    @DisplayName("1. mutual exclusion")
    class MutualExclusion extends MutualExclusionClause {
        MutualExclusion() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("2. owner-only release")
    class OwnerOnlyRelease extends OwnerOnlyReleaseClause {
        OwnerOnlyRelease() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("3. leases")
    class Leases extends LeasesClause {
        Leases() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("4. waiting")
    class Waiting extends WaitingClause {
        Waiting() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("5. reentrancy")
    class Reentrancy extends ReentrancyClause {
        Reentrancy() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("6. fencing tokens")
    class FencingTokens extends FencingTokensClause {
        FencingTokens() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("7. lost leases")
    class LostLeases extends LostLeasesClause {
        LostLeases() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("8. inspection, names and options")
    class NamesAndInspection extends NamesAndInspectionClause {
        NamesAndInspection() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("9. async and scoped use")
    class AsyncAndScoped extends AsyncAndScopedClause {
        AsyncAndScoped() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("10. bounded failure and shutdown")
    class FailureAndShutdown extends FailureAndShutdownClause {
        FailureAndShutdown() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("11. rate limiter (engines with the RATE_LIMITER capability; the others: a clear error)")
    class RateLimiting extends RateLimiterClause {
        RateLimiting() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("12. semaphores (engines with the SEMAPHORE capability; the others: a clear error)")
    class Semaphores extends SemaphoreClause {
        Semaphores() {
            super(LockEngineCompatibilityKit.this);
        }
    }

    @Nested
    @DisplayName("13. read-write locks (engines with the READ_WRITE_LOCK capability; the others: a clear error)")
    class ReadWriteLocks extends ReadWriteLockClause {
        ReadWriteLocks() {
            super(LockEngineCompatibilityKit.this);
        }
    }
}
