package dev.globallock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.Capability;
import dev.globallock.GlobalLockException;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockHandle;
import dev.globallock.LockInfo;
import dev.globallock.LockInterruptedException;
import dev.globallock.LockLostException;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import dev.globallock.LockTimeoutException;
import dev.globallock.LockedTaskException;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
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
 * <p>Every test uses its own key prefix, so tests never see each other's locks, and closes every
 * manager it opened. Waits are bounded by {@link #patience()}; nothing sleeps to dodge a race.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class LockEngineCompatibilityKit {
    private final List<GlobalLockManager> managers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private String prefix;

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

    @BeforeEach
    void newPrefix() {
        prefix = "tck-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    @AfterEach
    void closeEverything() {
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
        }
        for (GlobalLockManager manager : managers) {
            try {
                manager.close();
            } catch (RuntimeException e) {
                // a test that broke the backend on purpose may fail to release; the lease ends anyway
            }
        }
        managers.clear();
        executors.clear();
    }

    // ------------------------------------------------------------------------------ helpers

    /** A manager with the default watchdog lease. */
    protected final GlobalLockManager manager() {
        return manager(b -> {});
    }

    /** A manager whose watchdog lease is {@code lease}. */
    protected final GlobalLockManager managerWithWatchdogLease(Duration lease) {
        return manager(b -> b.watchdogLease(lease));
    }

    /** A manager built from {@link #engineConfig()} with this test's key prefix, customised. */
    protected final GlobalLockManager manager(Consumer<GlobalLockManager.Builder> customizer) {
        Map<String, Object> config = new LinkedHashMap<>(engineConfig());
        config.put("key-prefix", prefix);
        GlobalLockManager.Builder builder = GlobalLockManager.builder().config(config);
        customizer.accept(builder);
        GlobalLockManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    /** The backend key of a lock name in this test. */
    protected final String keyOf(String name) {
        return prefix + name;
    }

    private CountingEngine countingManager(AtomicReference<GlobalLockManager> out, Duration watchdogLease) {
        AtomicReference<CountingEngine> engine = new AtomicReference<>();
        out.set(manager(b -> {
            b.decorateEngine(e -> {
                CountingEngine counting = new CountingEngine(e);
                engine.set(counting);
                return counting;
            });
            if (watchdogLease != null) {
                b.watchdogLease(watchdogLease);
            }
        }));
        return engine.get();
    }

    /** An engine decorator whose renewals are sent nowhere and never complete. */
    private static LockEngine renewalsHang(LockEngine engine) {
        return new ForwardingLockEngine(engine) {
            @Override
            public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                return new CompletableFuture<>();
            }
        };
    }

    private ExecutorService threads(int count) {
        ExecutorService executor = Executors.newFixedThreadPool(count);
        executors.add(executor);
        return executor;
    }

    private static LockOptions waitAtMost(Duration wait) {
        return LockOptions.builder().waitTime(wait).build();
    }

    private static LockOptions forever() {
        return LockOptions.builder().waitForever().build();
    }

    private LockOptions lease(Duration lease) {
        return LockOptions.builder().waitTime(patience()).leaseTime(lease).build();
    }

    /** Waits until the condition holds, failing with the description after {@link #patience()}. */
    protected final void awaitTrue(String description, BooleanSupplier condition) {
        long deadline = System.nanoTime() + patience().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + patience() + ": " + description);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private boolean freeFor(GlobalLockManager other, String name) {
        try (LockHandle probe = other.tryLock(name)) {
            return probe.isLocked();
        }
    }

    /**
     * After the holder released: the lock is free for a third manager, so the abandoned waiter left
     * nothing queued. An engine removes an abandoned waiter's key or node asynchronously (one
     * round trip, which on a cluster may reach the leader after the holder's release), so the
     * probe is repeated within the patience bound; a leftover that stays fails the test.
     */
    private void awaitAbandonedWaiterGone(String name) {
        GlobalLockManager probe = manager();
        awaitTrue("lock '" + name + "' free, with no abandoned waiter left queued", () -> freeFor(probe, name));
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void assumeLeaseTimes() {
        assumeTrue(
                manager().capabilities().has(Capability.LEASE_TIME),
                "the engine declares no LEASE_TIME capability: explicit lease times are rejected instead");
    }

    // ------------------------------------------------------------------------------ contract

    @Nested
    @DisplayName("1. mutual exclusion")
    class MutualExclusion {
        @Test
        @DisplayName("at most one holder at a time across managers under contention, and no update is lost")
        void contendedCounterNeverOverlaps() throws Exception {
            int managerCount = 3;
            int threadsPerManager = 3;
            int rounds = 15;
            List<GlobalLockManager> contenders = new ArrayList<>();
            for (int i = 0; i < managerCount; i++) {
                contenders.add(manager());
            }
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            int[] counter = {0};
            ExecutorService pool = threads(managerCount * threadsPerManager);
            List<Future<?>> work = new ArrayList<>();
            for (GlobalLockManager contender : contenders) {
                for (int t = 0; t < threadsPerManager; t++) {
                    work.add(pool.submit(() -> {
                        for (int r = 0; r < rounds; r++) {
                            try (LockHandle lock = contender.lock("counter", waitAtMost(patience()))) {
                                int now = inside.incrementAndGet();
                                maxInside.accumulateAndGet(now, Math::max);
                                int read = counter[0];
                                Thread.yield();
                                counter[0] = read + 1;
                                inside.decrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> future : work) {
                future.get(patience().toMillis() * 3, TimeUnit.MILLISECONDS);
            }
            assertThat(maxInside.get())
                    .as("holders inside the critical section at once")
                    .isEqualTo(1);
            assertThat(counter[0]).isEqualTo(managerCount * threadsPerManager * rounds);
        }

        @Test
        @DisplayName("a second manager cannot take a held lock, and takes it once released")
        void heldLockIsExclusive() {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            LockHandle held = first.lock("exclusive", waitAtMost(patience()));
            try (LockHandle attempt = second.tryLock("exclusive")) {
                assertThat(attempt.isLocked()).isFalse();
                assertThat(attempt.state()).isEqualTo(LockState.NOT_ACQUIRED);
                assertThatThrownBy(attempt::fencingToken).isInstanceOf(IllegalStateException.class);
            }
            held.release();
            assertThat(freeFor(second, "exclusive")).isTrue();
        }

        @Test
        @DisplayName("different names are different locks, however alike they look")
        void alikeNamesDoNotCollide() {
            GlobalLockManager locks = manager();
            List<String> names = List.of(
                    "a/b", "a_b", "a%2Fb", "a%2fb", "a:b", "a.b", "a..b", "{a}b", "a{b}", "A/B", "a b", "a/b/", "/a/b");
            List<LockHandle> handles = new ArrayList<>();
            for (String name : names) {
                LockHandle handle = locks.tryLock(name, waitAtMost(Duration.ZERO));
                assertThat(handle.isLocked()).as("lock '%s' is free", name).isTrue();
                handles.add(handle);
            }
            handles.forEach(LockHandle::close);
        }
    }

    @Nested
    @DisplayName("2. owner-only release")
    class OwnerOnlyRelease {
        @Test
        @DisplayName("a late release after the lease expired does not free the next holder's lock")
        void lateReleaseDoesNotFreeNewHolder() {
            assumeLeaseTimes();
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            GlobalLockManager third = manager();
            LockHandle stale = first.lock("owner", lease(shortLease()));
            long staleToken = stale.fencingToken();
            LockHandle current = second.lock("owner", waitAtMost(patience()));
            assertThat(current.fencingToken()).isGreaterThan(staleToken);
            awaitTrue("the stale handle notices its lease ran out", () -> !stale.isLocked());

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
            assumeLeaseTimes();
            GlobalLockManager first = manager();
            LockHandle stale = first.lock("expired", lease(shortLease()));
            awaitTrue("the lease runs out", () -> stale.state() == LockState.EXPIRED);
            assertThatThrownBy(stale::release)
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining("expired");
            assertThat(freeFor(manager(), "expired")).isTrue();
        }

        @Test
        @DisplayName("a handle may be released from a thread other than the one that acquired it")
        void releaseFromAnotherThread() throws Exception {
            GlobalLockManager locks = manager();
            LockHandle handle = locks.lock("handoff", waitAtMost(patience()));
            threads(1).submit(handle::release).get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(handle.isLocked()).isFalse();
            assertThat(handle.state()).isEqualTo(LockState.RELEASED);
            assertThat(freeFor(manager(), "handoff")).isTrue();
        }

        @Test
        @DisplayName("close() is idempotent and release() after close() is an IllegalStateException")
        void closeIsIdempotent() {
            GlobalLockManager locks = manager();
            LockHandle handle = locks.lock("idempotent", waitAtMost(patience()));
            handle.close();
            handle.close();
            assertThatThrownBy(handle::release)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("idempotent");
        }
    }

    @Nested
    @DisplayName("3. leases")
    class Leases {
        @Test
        @DisplayName("an explicit lease frees the lock by itself, not before it elapses")
        void explicitLeaseExpires() {
            assumeLeaseTimes();
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            AtomicBoolean told = new AtomicBoolean();
            long start = System.nanoTime();
            LockHandle held = first.lock("lease", lease(shortLease()));
            held.onLost(() -> told.set(true));
            try (LockHandle next = second.lock("lease", waitAtMost(patience()))) {
                assertThat(next.isLocked()).isTrue();
                assertThat(millisSince(start))
                        .as("freed only after the lease")
                        .isGreaterThanOrEqualTo(shortLease().toMillis() - 50);
            }
            awaitTrue("the holder's handle reports EXPIRED", () -> held.state() == LockState.EXPIRED);
            awaitTrue("onLost ran", told::get);
            assertThat(held.lost()).isCompleted();
        }

        @Test
        @DisplayName("the watchdog keeps a lock alive past its lease while the holder lives")
        void watchdogKeepsLockAlive() {
            Duration lease = shortLease().multipliedBy(2);
            GlobalLockManager holder = managerWithWatchdogLease(lease);
            GlobalLockManager other = manager();
            LockHandle held = holder.lock("watchdog", waitAtMost(patience()));
            long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
            while (System.nanoTime() - until < 0) {
                assertThat(freeFor(other, "watchdog"))
                        .as("taken by another manager while renewed")
                        .isFalse();
                assertThat(held.isLocked()).isTrue();
                LockSupport.parkNanos(lease.toNanos() / 8);
            }
            held.release();
            assertThat(freeFor(other, "watchdog")).isTrue();
        }

        @Test
        @DisplayName("the lock of a holder that crashed frees itself within one lease")
        void crashedHolderFreesWithinOneLease() {
            Duration lease = shortLease().multipliedBy(2);
            AtomicReference<GlobalLockManager> crashing = new AtomicReference<>();
            CountingEngine engine = countingManager(crashing, lease);
            GlobalLockManager survivor = manager();
            LockHandle held = crashing.get().lock("crash", waitAtMost(patience()));
            assertThat(held.isLocked()).isTrue();

            long crashedAt = System.nanoTime();
            engine.crash();

            try (LockHandle taken =
                    survivor.lock("crash", waitAtMost(crashRecoveryBound(lease).plusSeconds(5)))) {
                assertThat(taken.isLocked()).isTrue();
                assertThat(millisSince(crashedAt))
                        .isLessThanOrEqualTo(crashRecoveryBound(lease).toMillis());
            }
        }

        @Test
        @DisplayName("a lease time the engine cannot honour is rejected with a clear error")
        void unsupportedLeaseRejected() {
            GlobalLockManager locks = manager();
            if (locks.capabilities().has(Capability.LEASE_TIME)) {
                Duration tooShort = locks.capabilities().minimumLeaseTime().minusMillis(1);
                assumeTrue(!tooShort.isZero() && !tooShort.isNegative(), "any positive lease is supported");
                assertThatThrownBy(() -> locks.lock(
                                "lease",
                                LockOptions.builder().leaseTime(tooShort).build()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'lease'")
                        .hasMessageContaining("at least");
            } else {
                assertThatThrownBy(() -> locks.lock(
                                "lease",
                                LockOptions.builder()
                                        .leaseTime(Duration.ofSeconds(10))
                                        .build()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'lease'")
                        .hasMessageContaining(locks.engineName());
            }
        }
    }

    @Nested
    @DisplayName("4. waiting")
    class Waiting {
        @Test
        @DisplayName("wait time zero makes one attempt and reports the lock busy")
        void waitZeroIsOneAttempt() {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            first.lock("busy", waitAtMost(patience()));
            long start = System.nanoTime();
            assertThat(second.tryLock("busy").isLocked()).isFalse();
            assertThatThrownBy(() -> second.lock("busy", waitAtMost(Duration.ZERO)))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("'busy'");
            assertThat(millisSince(start)).isLessThan(patience().toMillis());
        }

        @Test
        @DisplayName("a bounded wait gives up after the wait time with a LockTimeoutException naming the lock")
        void boundedWaitTimesOut() {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            first.lock("bounded", waitAtMost(patience()));
            Duration wait = Duration.ofMillis(400);
            long start = System.nanoTime();
            assertThatThrownBy(() -> second.lock("bounded", waitAtMost(wait)))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("'bounded'")
                    .hasMessageContaining("400ms");
            long elapsed = millisSince(start);
            assertThat(elapsed).isGreaterThanOrEqualTo(wait.toMillis() - 20).isLessThan(wait.toMillis() + 5_000);
            try (LockHandle attempt = second.tryLock("bounded", waitAtMost(wait))) {
                assertThat(attempt.isLocked())
                        .as("tryLock returns an unacquired handle instead")
                        .isFalse();
            }
        }

        @Test
        @DisplayName("an unbounded waiter is woken and granted the lock when the holder releases")
        void unboundedWaiterIsGranted() throws Exception {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            LockHandle held = first.lock("queue", waitAtMost(patience()));
            CompletableFuture<LockHandle> waiting = second.lockAsync("queue", forever());
            assertThat(waiting).isNotDone();
            held.release();
            LockHandle granted = waiting.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(granted.isLocked()).isTrue();
            assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
            granted.release();
        }

        @Test
        @DisplayName("a blocked lock() is handed the lock promptly after release, by notification")
        void blockedWaiterHandoff() throws Exception {
            GlobalLockManager first = managerWithWatchdogLease(Duration.ofSeconds(30));
            GlobalLockManager second = managerWithWatchdogLease(Duration.ofSeconds(30));
            LockHandle held = first.lock("handoff", waitAtMost(patience()));
            CountDownLatch started = new CountDownLatch(1);
            Future<Long> waiter = threads(1).submit(() -> {
                started.countDown();
                try (LockHandle granted = second.lock("handoff", forever())) {
                    return System.nanoTime();
                }
            });
            started.await();
            awaitTrue("the waiter is queued", () -> !waiter.isDone());
            long releasedAt = System.nanoTime();
            held.release();
            long grantedAt = waiter.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(grantedAt - releasedAt))
                    .as("handoff time; the watchdog lease is 30 s, so only a notification explains a fast one")
                    .isLessThan(5_000);
        }

        @Test
        @DisplayName("a waiter that timed out leaves nothing behind on the server")
        void timedOutWaiterLeavesNothing() {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            LockHandle held = first.lock("residue", waitAtMost(patience()));
            assertThatThrownBy(() -> second.lock("residue", waitAtMost(Duration.ofMillis(200))))
                    .isInstanceOf(LockTimeoutException.class);
            held.release();
            awaitAbandonedWaiterGone("residue");
        }

        @Test
        @DisplayName("an interrupted waiter keeps its interrupt flag and leaves nothing behind")
        void interruptedWaiterLeavesNothing() throws Exception {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            LockHandle held = first.lock("interrupt", waitAtMost(patience()));
            AtomicReference<Thread> waiterThread = new AtomicReference<>();
            Future<Boolean> waiter = threads(1).submit(() -> {
                waiterThread.set(Thread.currentThread());
                try {
                    second.lock("interrupt", forever());
                    return false;
                } catch (LockInterruptedException e) {
                    return Thread.currentThread().isInterrupted();
                }
            });
            awaitTrue(
                    "the waiter blocks",
                    () -> waiterThread.get() != null
                            && (waiterThread.get().getState() == Thread.State.WAITING
                                    || waiterThread.get().getState() == Thread.State.TIMED_WAITING));
            waiterThread.get().interrupt();
            assertThat(waiter.get(patience().toMillis(), TimeUnit.MILLISECONDS))
                    .as("interrupt flag restored")
                    .isTrue();
            held.release();
            awaitAbandonedWaiterGone("interrupt");
        }

        @Test
        @DisplayName(
                "lock() and tryLock() with the interrupt flag already set throw at once, keep the flag, send nothing")
        void interruptFlagSetBeforeLock() {
            AtomicReference<GlobalLockManager> out = new AtomicReference<>();
            CountingEngine engine = countingManager(out, null);
            GlobalLockManager locks = out.get();
            LockHandle held = locks.lock("pre-interrupted-held", waitAtMost(patience()));
            int acquiresBefore = engine.acquires.get();
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> locks.lock("pre-interrupted", waitAtMost(patience())))
                        .isInstanceOf(LockInterruptedException.class)
                        .hasMessageContaining("'pre-interrupted'");
                assertThat(Thread.currentThread().isInterrupted())
                        .as("flag kept")
                        .isTrue();
                assertThatThrownBy(() -> locks.tryLock("pre-interrupted")).isInstanceOf(LockInterruptedException.class);
                assertThatThrownBy(() -> locks.lock("pre-interrupted-held", waitAtMost(patience())))
                        .as("a reentrant acquisition too")
                        .isInstanceOf(LockInterruptedException.class);
                assertThat(Thread.currentThread().isInterrupted())
                        .as("flag kept")
                        .isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(engine.acquires.get())
                    .as("acquisitions sent to the engine")
                    .isEqualTo(acquiresBefore);
            assertThat(held.holdCount()).isEqualTo(1);
            held.release();
            assertThat(freeFor(manager(), "pre-interrupted")).isTrue();
        }

        @Test
        @DisplayName(
                "close() and release() with the interrupt flag set release on the backend, throw nothing, keep the flag")
        void interruptFlagSetBeforeRelease() {
            GlobalLockManager locks = manager();
            LockHandle closed = locks.lock("interrupted-close", waitAtMost(patience()));
            LockHandle released = locks.lock("interrupted-release", waitAtMost(patience()));
            Thread.currentThread().interrupt();
            try {
                closed.close();
                released.release();
                assertThat(Thread.currentThread().isInterrupted())
                        .as("flag kept")
                        .isTrue();
            } finally {
                Thread.interrupted();
            }
            GlobalLockManager other = manager();
            assertThat(freeFor(other, "interrupted-close")).isTrue();
            assertThat(freeFor(other, "interrupted-release")).isTrue();
        }

        @Test
        @DisplayName("cancelling an async wait abandons it and leaves nothing behind")
        void cancelledAsyncWaitLeavesNothing() {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            LockHandle held = first.lock("cancel", waitAtMost(patience()));
            CompletableFuture<LockHandle> waiting = second.lockAsync("cancel", forever());
            assertThat(waiting.cancel(true)).isTrue();
            held.release();
            awaitAbandonedWaiterGone("cancel");
            assertThatThrownBy(waiting::join).isInstanceOf(CancellationException.class);
        }

        @Test
        @DisplayName("an async wait with a bound fails with LockTimeoutException")
        void asyncWaitTimesOut() {
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            first.lock("async-timeout", waitAtMost(patience()));
            CompletableFuture<LockHandle> waiting =
                    second.lockAsync("async-timeout", waitAtMost(Duration.ofMillis(300)));
            assertThatThrownBy(() -> waiting.get(patience().toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(LockTimeoutException.class);
            CompletableFuture<LockHandle> once = second.lockAsync("async-timeout", waitAtMost(Duration.ZERO));
            assertThatThrownBy(() -> once.get(patience().toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(LockTimeoutException.class);
        }
    }

    @Nested
    @DisplayName("5. reentrancy")
    class Reentrancy {
        @Test
        @DisplayName("the same thread reacquires at once, without a round trip, and the last close releases")
        void sameThreadReenters() {
            AtomicReference<GlobalLockManager> out = new AtomicReference<>();
            CountingEngine engine = countingManager(out, null);
            GlobalLockManager locks = out.get();
            GlobalLockManager other = manager();
            LockHandle outer = locks.lock("reentrant", waitAtMost(patience()));
            int acquiresBefore = engine.acquires.get();
            LockHandle inner = locks.lock("reentrant", waitAtMost(patience()));
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
            GlobalLockManager locks = manager();
            LockHandle held = locks.lock("mine", waitAtMost(patience()));
            Boolean otherGotIt = threads(1)
                    .submit(() -> {
                        try (LockHandle attempt = locks.tryLock("mine")) {
                            return attempt.isLocked();
                        }
                    })
                    .get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(otherGotIt).isFalse();
            held.release();
        }

        @Test
        @DisplayName("the java.util.concurrent view is thread-owned and reentrant")
        void jucViewIsThreadOwned() throws Exception {
            GlobalLockManager locks = manager();
            Lock lock = locks.asLock("juc");
            lock.lock();
            assertThat(lock.tryLock()).as("reentrant").isTrue();
            Boolean unlockedElsewhere = threads(1)
                    .submit(() -> {
                        try {
                            lock.unlock();
                            return true;
                        } catch (IllegalMonitorStateException e) {
                            return false;
                        }
                    })
                    .get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(unlockedElsewhere).isFalse();
            lock.unlock();
            assertThat(freeFor(manager(), "juc")).isFalse();
            lock.unlock();
            assertThat(freeFor(manager(), "juc")).isTrue();
            assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Nested
    @DisplayName("6. fencing tokens")
    class FencingTokens {
        @Test
        @DisplayName("every acquisition's token is greater than all before it, across holders and managers")
        void tokensStrictlyIncrease() {
            List<GlobalLockManager> holders = List.of(manager(), manager(), manager());
            long last = Long.MIN_VALUE;
            for (int i = 0; i < 15; i++) {
                try (LockHandle lock = holders.get(i % holders.size()).lock("fence", waitAtMost(patience()))) {
                    assertThat(lock.fencingToken()).isGreaterThan(last);
                    last = lock.fencingToken();
                }
            }
        }

        @Test
        @DisplayName("a token granted after a crash is greater than the crashed holder's")
        void tokensIncreaseAfterCrash() {
            Duration lease = shortLease().multipliedBy(2);
            AtomicReference<GlobalLockManager> crashing = new AtomicReference<>();
            CountingEngine engine = countingManager(crashing, lease);
            LockHandle first = crashing.get().lock("fence-crash", waitAtMost(patience()));
            engine.crash();
            try (LockHandle second = manager()
                    .lock("fence-crash", waitAtMost(crashRecoveryBound(lease).plusSeconds(5)))) {
                assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
            }
        }
    }

    @Nested
    @DisplayName("7. lost leases")
    class LostLeases {
        @Test
        @DisplayName("the holder is told once when the backend forgets its lease")
        void holderIsToldWhenBackendForgets() throws Exception {
            GlobalLockManager holder = managerWithWatchdogLease(shortLease().multipliedBy(2));
            LockHandle held = holder.lock("forgotten", waitAtMost(patience()));
            AtomicInteger told = new AtomicInteger();
            held.onLost(told::incrementAndGet);
            CompletableFuture<Void> lost = held.lost();

            forgetOnBackend(keyOf("forgotten"));

            awaitTrue("the holder learns its lease is gone", () -> told.get() == 1);
            assertThat(held.isLocked()).isFalse();
            assertThat(held.state()).isEqualTo(LockState.LOST);
            assertThat(lost.get(patience().toMillis(), TimeUnit.MILLISECONDS)).isNull();
            AtomicInteger late = new AtomicInteger();
            held.onLost(late::incrementAndGet);
            assertThat(late.get())
                    .as("a listener added after the loss runs at once")
                    .isEqualTo(1);
            assertThatThrownBy(held::release).isInstanceOf(LockLostException.class);
            assertThat(told.get()).as("listeners run once").isEqualTo(1);
            assertThat(freeFor(manager(), "forgotten")).isTrue();
        }

        @Test
        @DisplayName("a late release after the backend forgot the lease does not free the next holder's lock")
        void lateReleaseAfterLossKeepsNextHolder() throws Exception {
            GlobalLockManager holder = managerWithWatchdogLease(shortLease().multipliedBy(2));
            GlobalLockManager next = manager();
            LockHandle stale = holder.lock("relost", waitAtMost(patience()));
            forgetOnBackend(keyOf("relost"));
            LockHandle current = next.lock("relost", waitAtMost(patience()));
            assertThat(current.fencingToken()).isGreaterThan(stale.fencingToken());
            stale.close();
            assertThat(current.isLocked()).isTrue();
            assertThat(freeFor(manager(), "relost"))
                    .as("still held by the next holder")
                    .isFalse();
            current.release();
        }

        @Test
        @DisplayName("a normal release never fires lost-lease listeners and cancels lost()")
        void releaseDoesNotSignalLoss() {
            GlobalLockManager locks = manager();
            LockHandle held = locks.lock("kept", waitAtMost(patience()));
            AtomicBoolean told = new AtomicBoolean();
            held.onLost(() -> told.set(true));
            CompletableFuture<Void> lost = held.lost();
            held.release();
            assertThat(told).isFalse();
            assertThat(lost).isCancelled();
        }

        @Test
        @DisplayName("withLock reports a lease lost while the task ran")
        void withLockReportsLoss() {
            GlobalLockManager holder = managerWithWatchdogLease(shortLease().multipliedBy(2));
            assertThatThrownBy(() -> holder.withLock("task", waitAtMost(patience()), () -> {
                        // a reentrant handle shares the task's lease, so it shows when the lease is lost
                        try (LockHandle sameLease = holder.lock("task", waitAtMost(patience()))) {
                            forgetOnBackend(keyOf("task"));
                            awaitTrue("the watchdog notices the loss", () -> !sameLease.isLocked());
                        }
                        return "done";
                    }))
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining("'task'");
        }

        @Test
        @DisplayName("a holder whose renewals never complete is told within one lease, from a timer")
        void holderWhoseRenewalsHangIsToldWithinOneLease() throws Exception {
            Duration lease = shortLease();
            GlobalLockManager holder =
                    manager(b -> b.watchdogLease(lease).decorateEngine(LockEngineCompatibilityKit::renewalsHang));
            long before = System.nanoTime();
            LockHandle held = holder.lock("renewals-hang", waitAtMost(patience()));
            CompletableFuture<Void> lost = held.lost();

            lost.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            long told = millisSince(before);

            // the lease counts from the acquire's send time, later than `before`; the deadline is a
            // 1% + 2 ms margin short of the lease; the timer may run a little late on a busy machine
            assertThat(told)
                    .as("ms from before the acquire until the holder was told")
                    .isGreaterThanOrEqualTo(lease.toMillis() * 99 / 100 - 3)
                    .isLessThan(lease.toMillis() + 500);
            assertThat(held.isLocked()).isFalse();
            assertThat(held.state()).isEqualTo(LockState.LOST);
            assertThatThrownBy(held::release).isInstanceOf(LockLostException.class);
        }

        @Test
        @DisplayName("isLocked() turns false at the lease deadline even while the renewal thread is starved")
        void isLockedTurnsFalseAtTheDeadlineWhileTheRenewalThreadIsStarved() throws Exception {
            Duration lease = shortLease();
            AtomicLong jump = new AtomicLong();
            CountDownLatch renewing = new CountDownLatch(1);
            CountDownLatch unblock = new CountDownLatch(1);
            GlobalLockManager holder = manager(b -> b.watchdogLease(lease)
                    .ticker(() -> System.nanoTime() + jump.get())
                    .decorateEngine(engine -> new ForwardingLockEngine(engine) {
                        @Override
                        public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                            // the watchdog's first renewal blocks the manager's only timer thread
                            renewing.countDown();
                            try {
                                unblock.await(patience().toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return super.renew(grants);
                        }
                    }));
            try {
                LockHandle held = holder.lock("starved", waitAtMost(patience()));
                assertThat(renewing.await(patience().toMillis(), TimeUnit.MILLISECONDS))
                        .as("the watchdog's thread is blocked in a renewal")
                        .isTrue();
                assertThat(held.isLocked()).isTrue();

                jump.set(lease.toNanos()); // a whole lease passes; no thread of the manager can run

                assertThat(held.isLocked())
                        .as("isLocked() once a whole lease passed since the acquire")
                        .isFalse();
                assertThat(held.state()).isEqualTo(LockState.LOST);
            } finally {
                unblock.countDown();
            }
        }
    }

    @Nested
    @DisplayName("8. inspection, names and options")
    class NamesAndInspection {
        @Test
        @DisplayName("inspect() tells a free lock from a held one, with the holder's token where it can")
        void inspectReportsHolder() {
            GlobalLockManager locks = manager();
            Optional<LockInfo> free = locks.inspect("inspected");
            assumeTrue(free.isPresent(), "the engine cannot inspect locks");
            assertThat(free.get().isHeld()).isFalse();
            try (LockHandle held = locks.lock("inspected", waitAtMost(patience()))) {
                LockInfo info = manager().inspect("inspected").orElseThrow();
                assertThat(info.isHeld()).isTrue();
                info.fencingToken().ifPresent(token -> assertThat(token).isEqualTo(held.fencingToken()));
            }
            assertThat(locks.inspect("inspected").orElseThrow().isHeld()).isFalse();
        }

        @Test
        @DisplayName("empty, blank, control-character and oversized names are rejected with a clear error")
        void badNamesRejected() {
            GlobalLockManager locks = manager();
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
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            List<String> names =
                    List.of("{tag}", "}{", "with space", "a/b/c", "..", ".", "/", "ünïcødé-锁-🔒", "x".repeat(1024));
            for (String name : names) {
                try (LockHandle held = first.lock(name, waitAtMost(patience()))) {
                    assertThat(held.isLocked()).as("'%s' acquired", name).isTrue();
                    assertThat(held.name()).isEqualTo(name);
                    assertThat(freeFor(second, name)).as("'%s' exclusive", name).isFalse();
                }
                assertThat(freeFor(second, name)).as("'%s' released", name).isTrue();
            }
        }
    }

    @Nested
    @DisplayName("9. async and scoped use")
    class AsyncAndScoped {
        @Test
        @DisplayName("withLock runs the task under the lock and wraps its checked exceptions")
        void withLockRunsAndReleases() {
            GlobalLockManager locks = manager();
            GlobalLockManager other = manager();
            String result = locks.withLock("scoped", waitAtMost(patience()), () -> {
                assertThat(freeFor(other, "scoped")).isFalse();
                return "ran";
            });
            assertThat(result).isEqualTo("ran");
            assertThat(freeFor(other, "scoped")).isTrue();
            assertThatThrownBy(() -> locks.withLock("scoped", waitAtMost(patience()), () -> {
                        throw new IOException("disk full");
                    }))
                    .isInstanceOf(LockedTaskException.class)
                    .hasCauseInstanceOf(IOException.class)
                    .hasMessageContaining("'scoped'");
            assertThat(freeFor(other, "scoped"))
                    .as("released after the task failed")
                    .isTrue();
        }

        @Test
        @DisplayName("an async acquisition completes with a handle that any thread may release")
        void asyncAcquire() throws Exception {
            GlobalLockManager locks = manager();
            LockHandle handle = locks.lockAsync("async", waitAtMost(patience()))
                    .get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(handle.isLocked()).isTrue();
            threads(1).submit(handle::release).get(patience().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(freeFor(manager(), "async")).isTrue();
        }

        @Test
        @DisplayName(
                "code chained on an async acquisition may block on the manager: it releases the handle and locks again")
        void asyncCallbackMayBlock() throws Exception {
            GlobalLockManager holder = manager();
            GlobalLockManager locks = manager();
            LockHandle held = holder.lock("chained", waitAtMost(patience()));
            // queued behind the holder, so the chained code runs on whatever thread completes the
            // grant, never on this one
            CompletableFuture<Boolean> chained = locks.lockAsync("chained", waitAtMost(patience()))
                    .thenApply(handle -> {
                        handle.release();
                        try (LockHandle again = locks.lock("chained", waitAtMost(patience()))) {
                            return again.isLocked();
                        }
                    });
            held.release();
            assertThat(chained.get(patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            assertThat(freeFor(manager(), "chained")).isTrue();
        }

        @Test
        @DisplayName("virtual threads can lock, wait and release (where the JDK has them)")
        void virtualThreads() throws Exception {
            ExecutorService virtual;
            try {
                virtual = (ExecutorService) Executors.class
                        .getMethod("newVirtualThreadPerTaskExecutor")
                        .invoke(null);
            } catch (NoSuchMethodException e) {
                assumeTrue(false, "this JDK has no virtual threads");
                return;
            }
            executors.add(virtual);
            GlobalLockManager first = manager();
            GlobalLockManager second = manager();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                GlobalLockManager locks = i % 2 == 0 ? first : second;
                work.add(virtual.submit(() -> {
                    try (LockHandle lock = locks.lock("virtual", waitAtMost(patience()))) {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        inside.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get(patience().toMillis() * 2, TimeUnit.MILLISECONDS);
            }
            assertThat(maxInside.get()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("10. bounded failure and shutdown")
    class FailureAndShutdown {
        @Test
        @DisplayName("an unreachable backend gives a clear exception within a bounded time")
        void unreachableBackendFailsFast() {
            long start = System.nanoTime();
            Throwable failure = null;
            try (GlobalLockManager locks = GlobalLockManager.create(unreachableConfig())) {
                managers.add(locks);
                locks.lock("unreachable", waitAtMost(Duration.ofSeconds(3)));
            } catch (GlobalLockException e) {
                failure = e;
            }
            assertThat(failure)
                    .as("locking on an unreachable backend must fail")
                    .isNotNull();
            assertThat(millisSince(start)).isLessThan(patience().toMillis());
            if (failure instanceof LockBackendException) {
                assertThat(failure.getMessage())
                        .contains(String.valueOf(unreachableConfig().get("engine")));
            }
        }

        @Test
        @DisplayName("closing the manager releases what it holds and refuses further use")
        void closeReleasesEverything() {
            GlobalLockManager locks = manager();
            LockHandle a = locks.lock("close-a", waitAtMost(patience()));
            LockHandle b = locks.lock("close-b", waitAtMost(patience()));
            locks.close();
            assertThat(a.isLocked()).isFalse();
            assertThat(b.isLocked()).isFalse();
            GlobalLockManager other = manager();
            assertThat(freeFor(other, "close-a")).isTrue();
            assertThat(freeFor(other, "close-b")).isTrue();
            assertThatThrownBy(() -> locks.tryLock("close-a"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            a.close();
        }

        @Test
        @DisplayName("closing the manager abandons its pending waits")
        void closeAbandonsWaits() throws Exception {
            GlobalLockManager holder = manager();
            GlobalLockManager waiter = manager();
            holder.lock("close-wait", waitAtMost(patience()));
            CompletableFuture<LockHandle> waiting = waiter.lockAsync("close-wait", forever());
            waiter.close();
            assertThatThrownBy(() -> waiting.get(patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOfAny(CancellationException.class, java.util.concurrent.ExecutionException.class);
        }
    }
}
