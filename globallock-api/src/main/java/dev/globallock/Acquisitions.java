/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.EngineErrors;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The manager's acquisition path. Each acquisition is an {@link Attempt}: it resolves the options,
 * sends one request to the engine, bounds the wait (counted from the call) and turns every way the
 * engine's future can end into the caller's outcome, in one place: granted (a handle), not granted
 * (a timeout, or an unacquired handle for {@code tryLock}), the wait over while the backend was
 * unreachable (not a busy lock), a failure, a cancellation. The two callers differ only in how they
 * wait: {@link #acquire} blocks on the engine's future with the remaining wait as its bound, on the
 * caller's thread (so an engine runs its I/O there; nothing else is scheduled), and {@link
 * #acquireAsync} arms a timer that cancels it. Thread-safe.
 *
 * <p>Semaphores and read-write locks take the same path with another {@link AcquireMode} on the
 * request: only reentrancy differs (permits have none; a read-write lock's sides are reentrant per
 * thread, a write holder's read is a downgrade, a reader's write is refused).
 */
final class Acquisitions {
    private final ManagerContext manager;
    private final Watchdog watchdog;
    private final Set<HeldLock> held;
    private final Reentrancy reentrancy;
    private final Releases releases;
    /** One per manager: what a lease whose deadline passed calls to be let go of on the backend. */
    private final Consumer<HeldLock> releaseGoneLease;
    /** Acquisitions sent and not yet settled, so that closing cancels them. */
    private final Set<CompletableFuture<LockGrant>> pending = ConcurrentHashMap.newKeySet();

    Acquisitions(
            ManagerContext manager, Watchdog watchdog, Set<HeldLock> held, Reentrancy reentrancy, Releases releases) {
        this.manager = manager;
        this.watchdog = watchdog;
        this.held = held;
        this.reentrancy = reentrancy;
        this.releases = releases;
        this.releaseGoneLease = releases::releaseGoneLease;
    }

    /**
     * Acquires on the calling thread: reentrant, interruptible, bounded by the wait time.
     *
     * @param throwOnTimeout {@code lock} (throws {@link LockTimeoutException}) rather than {@code
     *     tryLock} (returns an unacquired handle)
     */
    LockHandle acquire(String name, LockOptions options, boolean throwOnTimeout) {
        Objects.requireNonNull(options, "options");
        Thread thread = Thread.currentThread();
        return acquire(
                new Attempt(name, options, thread, true, throwOnTimeout, AcquireMode.EXCLUSIVE, 1, null), thread);
    }

    /**
     * {@link #acquire(String, LockOptions, boolean)} for a semaphore's permit or a read-write lock's
     * side, with their reentrancy rules.
     *
     * @throws IllegalStateException for the write side when the thread holds only the read side
     */
    LockHandle acquire(String name, LockOptions options, boolean throwOnTimeout, AcquireMode mode, int permits) {
        Objects.requireNonNull(options, "options");
        Thread thread = Thread.currentThread();
        if (mode == AcquireMode.PERMIT) {
            return acquire(new Attempt(name, options, null, true, throwOnTimeout, mode, permits, null), thread);
        }
        String key = manager.keyFor(name);
        LockGrant downgrading = null;
        if (reentrancy.live(new Reentrancy.Holds(thread, key, mode)) == null) {
            Reentrancy.Holds other = reentrancy.live(
                    new Reentrancy.Holds(thread, key, mode == AcquireMode.READ ? AcquireMode.WRITE : AcquireMode.READ));
            if (other != null && mode == AcquireMode.WRITE) {
                throw new IllegalStateException("thread '" + thread.getName() + "' holds the read lock of "
                        + EngineErrors.lock(name) + " and asked for its write lock: an upgrade would wait for its"
                        + " own read lock forever; release the read lock first (a writer may take the read lock,"
                        + " not the other way round)");
            }
            downgrading = other == null ? null : other.lease().grant();
        }
        return acquire(new Attempt(name, options, thread, true, throwOnTimeout, mode, 1, downgrading), thread);
    }

    private LockHandle acquire(Attempt attempt, Thread thread) {
        String name = attempt.name;
        if (thread.isInterrupted()) {
            // as lockInterruptibly: an interrupted thread does not start a wait, not even a reentrant one
            throw manager.failures.interruptedBefore(thread, name);
        }
        Reentrancy.Holds reentered = reentrancy.reenter(attempt.holds);
        if (reentered != null) {
            if (manager.hasEvents) {
                manager.events.acquired(name, Duration.ZERO, true);
            }
            return new ManagedLockHandle(releases, reentered.lease(), reentered);
        }
        CompletableFuture<LockGrant> acquiring = attempt.send();
        LockGrant grant;
        try {
            try {
                grant = attempt.bound == null
                        ? acquiring.get()
                        : acquiring.get(attempt.remainingNanos(), TimeUnit.NANOSECONDS);
            } finally {
                // this thread waited on it, so it removes it: no dependent stage per acquisition (with some
                // engines' futures that stage would be a task on a pool, one more thread wake-up); a close()
                // meanwhile found it in the set and cancelled it
                pending.remove(acquiring);
                if (manager.hasEvents) {
                    manager.events.waitEnded(name, attempt.waited());
                }
            }
        } catch (TimeoutException e) {
            if (acquiring.cancel(false)) {
                return attempt.timedOut();
            }
            grant = acquiring.join();
        } catch (InterruptedException e) {
            if (!acquiring.cancel(false)) {
                LockGrant late = acquiring.getNow(null);
                if (late != null) {
                    CallerRunsFuture.dispatch(manager.engine.release(late));
                }
            }
            Thread.currentThread().interrupt();
            throw attempt.failed(new LockInterruptedException(name, e));
        } catch (ExecutionException e) {
            throw attempt.failed(manager.failures.translate(e.getCause(), name, "acquire"));
        } catch (CancellationException e) {
            throw attempt.failed(manager.failures.closed(name)); // only close() cancels a blocking acquisition
        }
        return attempt.settled(grant);
    }

    /**
     * Acquires without blocking: the engine's work is dispatched, a timer ends the wait, and
     * cancelling the result cancels the acquisition. The handle belongs to no thread.
     */
    CompletableFuture<LockHandle> acquireAsync(String name, LockOptions options) {
        return acquireAsync(name, options, AcquireMode.EXCLUSIVE, 1);
    }

    /** {@link #acquireAsync(String, LockOptions)} in another mode: no reentrancy, no downgrade. */
    CompletableFuture<LockHandle> acquireAsync(String name, LockOptions options, AcquireMode mode, int permits) {
        Objects.requireNonNull(options, "options");
        Attempt attempt = new Attempt(name, options, null, false, true, mode, permits, null);
        CompletableFuture<LockHandle> result = new CompletableFuture<>();
        CompletableFuture<LockGrant> acquiring = attempt.send();
        CallerRunsFuture.dispatch(acquiring); // nobody blocks on it: the engine's work starts now
        acquiring.whenComplete((grant, failure) -> pending.remove(acquiring));
        if (manager.hasEvents) {
            acquiring.whenComplete((grant, failure) -> manager.events.waitEnded(name, attempt.waited()));
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timer = attempt.bound == null
                ? null
                : manager.scheduler.schedule(
                        () -> {
                            timedOut.set(true);
                            acquiring.cancel(false);
                        },
                        attempt.remainingNanos(),
                        TimeUnit.NANOSECONDS);
        result.whenComplete((handle, failure) -> {
            if (result.isCancelled()) {
                acquiring.cancel(false);
            }
        });
        acquiring.whenComplete((grant, failure) -> {
            if (timer != null) {
                timer.cancel(false);
            }
            LockHandle handle;
            try {
                handle = failure == null ? attempt.settled(grant) : attempt.ended(failure, timedOut.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            if (!result.complete(handle)) {
                releases.releaseWithoutWaiting(((ManagedLockHandle) handle).lease(), null);
            }
        });
        return result;
    }

    /** Closing: abandons every pending wait (its caller gets the closed-manager error). */
    void cancelPending() {
        for (CompletableFuture<LockGrant> waiting : Set.copyOf(pending)) {
            waiting.cancel(false);
        }
    }

    /** One acquisition being made: its resolved options and the lease it will become. */
    private final class Attempt {
        final String name;
        /**
         * How long the wait may last: the wait time, or the operation timeout for a single attempt
         * (wait time zero); null: until acquired.
         */
        final Duration bound;

        final boolean throwOnTimeout;
        /** The caller blocks on the outcome ({@code lock}, {@code tryLock}), rather than {@code lockAsync}. */
        final boolean blocking;

        final HeldLock lease;
        /** The blocking caller's reentrancy entry to be; null for an asynchronous acquisition or a permit. */
        final Reentrancy.Holds holds;

        final AcquireRequest request;
        long sentAtNanos;

        /**
         * Validates and resolves one request; nothing is sent yet.
         *
         * @param thread the thread whose reentrancy entry the lease becomes, or null
         * @param downgrading for {@link AcquireMode#READ}: the thread's own write grant of the key
         */
        Attempt(
                String name,
                LockOptions options,
                Thread thread,
                boolean blocking,
                boolean throwOnTimeout,
                AcquireMode mode,
                int permits,
                LockGrant downgrading) {
            String key = manager.keyFor(name);
            ManagerSettings settings = manager.settings;
            this.name = name;
            Duration waitTime = options.waitsForever()
                    ? null
                    : options.usesDefaultWait()
                            ? settings.defaultWaitTime
                            : options.waitTime().orElseThrow();
            this.bound = waitTime == null ? null : waitTime.isZero() ? settings.operationTimeout : waitTime;
            this.throwOnTimeout = throwOnTimeout;
            this.blocking = blocking;
            Duration explicitLease = options.leaseTime().orElse(settings.defaultLeaseTime);
            if (explicitLease != null) {
                manager.leases.checkLease(name, explicitLease);
            }
            boolean watchdogLease = explicitLease == null;
            Duration leaseTime = watchdogLease ? manager.leases.watchdogLease() : explicitLease;
            this.holds = thread == null ? null : new Reentrancy.Holds(thread, key, mode);
            this.lease = new HeldLock(
                    name, key, watchdogLease, leaseTime.toNanos(), manager.ticker, manager.scheduler, releaseGoneLease);
            AcquireRequest.Builder builder =
                    AcquireRequest.builder().name(name).key(key).listener(lease);
            if (watchdogLease) {
                builder.watchdogLease(leaseTime);
            } else {
                builder.leaseTime(leaseTime);
            }
            if (waitTime != null && waitTime.isZero()) {
                builder.singleAttempt();
            }
            AcquireRequest built = builder.build();
            this.request = mode == AcquireMode.EXCLUSIVE ? built : moded(built, mode, permits, downgrading);
        }

        private AcquireRequest moded(AcquireRequest request, AcquireMode mode, int permits, LockGrant downgrading) {
            if (mode == AcquireMode.PERMIT) {
                return request.withPermits(permits);
            }
            return downgrading != null ? request.withDowngrade(downgrading) : request.withMode(mode);
        }

        CompletableFuture<LockGrant> send() {
            sentAtNanos = manager.ticker.read();
            CompletableFuture<LockGrant> acquiring;
            try {
                acquiring = Objects.requireNonNull(manager.engine.acquire(request), "engine returned no future");
            } catch (RuntimeException e) {
                throw failed(manager.failures.translate(e, name, "acquire"));
            }
            // in the set while it is pending, so that close() cancels it; whoever waits on it removes it
            pending.add(acquiring);
            if (manager.hasEvents) {
                manager.events.waitStarted(name);
            }
            if (manager.isClosed()) {
                acquiring.cancel(false);
            }
            return acquiring;
        }

        /** What is left of the bound: it counts from the call, so the engine's time to take the request is part of it. */
        long remainingNanos() {
            return Math.max(0, bound.toNanos() - (manager.ticker.read() - sentAtNanos));
        }

        Duration waited() {
            return Duration.ofNanos(manager.ticker.read() - sentAtNanos);
        }

        /** Reports an acquisition that ended with {@code failure} (neither the lock nor a timeout); returns it. */
        <E extends Throwable> E failed(E failure) {
            if (manager.hasEvents) {
                manager.events.acquireFailed(name, waited(), failure);
            }
            return failure;
        }

        /** The engine's answer: a grant, or null when a single attempt found the lock taken. */
        LockHandle settled(LockGrant grant) {
            if (grant == null) {
                manager.events.notAcquired(name, waited());
                if (throwOnTimeout) {
                    throw new LockTimeoutException(name, Duration.ZERO);
                }
                return new UnacquiredLockHandle(name);
            }
            return activate(grant);
        }

        /**
         * The wait ended without an answer (the engine's future was cancelled at the bound). A
         * blocking single attempt the engine did not answer within the operation timeout has always
         * been a backend failure; lockAsync reports it as the other waits.
         */
        LockHandle timedOut() {
            if (blocking && request.singleAttempt()) {
                throw failed(manager.failures.attemptNotAnswered(name));
            }
            LockBackendException unreachable = manager.failures.unreachableAfterWait(name, bound);
            if (unreachable != null) {
                throw failed(unreachable);
            }
            manager.events.notAcquired(name, waited());
            if (throwOnTimeout) {
                throw new LockTimeoutException(name, bound);
            }
            return new UnacquiredLockHandle(name);
        }

        /** lockAsync: the engine's future failed, or was cancelled (by the timer, the caller or close). */
        LockHandle ended(Throwable failure, boolean timedOut) {
            Throwable cause = EngineErrors.unwrap(failure);
            if (!(cause instanceof CancellationException)) {
                throw failed(manager.failures.translate(cause, name, "acquire"));
            }
            if (timedOut) {
                return timedOut();
            }
            throw failed(new CancellationException("lock '" + name + "' cancelled"));
        }

        ManagedLockHandle activate(LockGrant grant) {
            // The lease counts from the grant, not from the request (a waiter may have queued for
            // longer than its lease): from when the engine's final, successful request was sent,
            // as the engine reports it, else from now, one reply late.
            long receivedAtNanos = manager.ticker.read();
            lease.granted(grant, receivedAtNanos);
            held.add(lease);
            if (manager.hasEvents) {
                manager.events.acquired(name, waited(), false);
                lease.onLost(() -> manager.events.lost(name, lease.state()));
            }
            if (lease.watchdog) {
                watchdog.track(lease); // after held.add: the deadline timer's scan must see it
            } else {
                long remaining = lease.deadlineNanos() - receivedAtNanos;
                lease.expiryTimer(
                        manager.scheduler.schedule(lease::expired, Math.max(0, remaining), TimeUnit.NANOSECONDS));
            }
            if (holds != null) {
                reentrancy.granted(holds, lease);
            }
            if (manager.isClosed()) {
                releases.releaseWithoutWaiting(lease, holds);
            }
            return new ManagedLockHandle(releases, lease, holds);
        }
    }
}
