/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.EngineErrors;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Renews every watchdog lease of one manager every third of the watchdog lease, in one batched
 * {@link LockEngine#renew} call per tick, and runs one deadline timer for all of them. A lease the
 * engine reports lost is marked lost at once; one whose deadline (last confirmation plus the lease,
 * less the drift margin: see {@link HeldLock}) passes without a confirmed renewal is marked lost by
 * the deadline timer, at the deadline, whether or not a renewal is still in flight. Thread-safe;
 * runs on the manager's scheduler.
 *
 * <p>The deadline timer is one scheduled task per manager, armed at the earliest deadline of the
 * live watchdog leases: an acquisition re-arms it only when its own deadline is earlier than the
 * armed one (never, in the steady state, since every watchdog lease has the same length), and when
 * it fires it marks the leases past their deadline and re-arms itself at the earliest remaining
 * one. A deadline only ever moves later (renewals), so a timer armed too early merely fires for
 * nothing and re-arms.
 */
final class Watchdog {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    private final LockEngine engine;
    private final EngineErrors errors;
    private final Ticker ticker;
    private final Supplier<Collection<HeldLock>> leases;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final long periodNanos;
    private volatile ScheduledExecutorService scheduler;
    private ScheduledFuture<?> task;
    /** Told of each renewal and failed renewal; set before {@link #start}. */
    private LockEventListener events = SafeLockEventListener.NONE;

    private final ReentrantLock timerLock = new ReentrantLock();
    /** Whether the deadline timer is armed; set after {@link #armedFor}, cleared when it fires. */
    private volatile boolean armed;
    /** The deadline the timer is armed for, while {@link #armed}. */
    private volatile long armedFor;
    /** Guarded by timerLock. */
    private ScheduledFuture<?> deadlineTimer;

    Watchdog(LockEngine engine, Ticker ticker, Supplier<Collection<HeldLock>> leases, long leaseNanos) {
        this.engine = engine;
        this.errors = EngineErrors.of(engine);
        this.ticker = ticker;
        this.leases = leases;
        this.periodNanos = Math.max(1, leaseNanos / 3);
    }

    void events(LockEventListener events) {
        this.events = events;
    }

    void start(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        task = scheduler.scheduleAtFixedRate(this::tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
        timerLock.lock();
        try {
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
        } finally {
            timerLock.unlock();
        }
    }

    /**
     * A watchdog lease was granted (it is in the manager's set already): makes sure the deadline
     * timer fires by its deadline. Two volatile reads when the timer is armed earlier already.
     */
    void track(HeldLock lease) {
        long deadline = lease.deadlineNanos();
        if (armed && armedFor - deadline <= 0) {
            return;
        }
        arm(deadline);
    }

    private void arm(long deadline) {
        ScheduledExecutorService on = scheduler;
        if (on == null) {
            return; // not started (unit tests drive checkDeadlines themselves)
        }
        timerLock.lock();
        try {
            if (armed && armedFor - deadline <= 0) {
                return;
            }
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            armedFor = deadline;
            armed = true;
            deadlineTimer =
                    on.schedule(this::checkDeadlines, Math.max(0, deadline - ticker.read()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            armed = false; // the manager is closing
        } finally {
            timerLock.unlock();
        }
    }

    /** The deadline timer: marks the watchdog leases past their deadline lost and re-arms. */
    void checkDeadlines() {
        timerLock.lock();
        try {
            armed = false;
            deadlineTimer = null;
        } finally {
            timerLock.unlock();
        }
        try {
            long now = ticker.read();
            boolean any = false;
            long next = 0;
            for (HeldLock lease : leases.get()) {
                if (lease.watchdog && lease.checkDeadline(now)) {
                    long deadline = lease.deadlineNanos();
                    if (!any || deadline - next < 0) {
                        next = deadline;
                        any = true;
                    }
                }
            }
            if (any) {
                arm(next);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the lease deadline timer of " + errors.engine() + " failed", e);
        }
    }

    /** One renewal round; skipped while the previous one is still in flight. */
    void tick() {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        try {
            long now = ticker.read();
            List<HeldLock> due = new ArrayList<>();
            List<LockGrant> grants = new ArrayList<>();
            for (HeldLock lease : leases.get()) {
                // a lease past its deadline is lost here too, should the timer be late
                if (!lease.watchdog || !lease.checkDeadline(now)) {
                    continue;
                }
                due.add(lease);
                grants.add(lease.grant());
            }
            if (grants.isEmpty()) {
                renewing.set(false);
                return;
            }
            CompletableFuture<Set<LockGrant>> renewal = engine.renew(grants);
            renewal.whenComplete((lost, failure) -> {
                try {
                    settle(due, now, lost, failure);
                } finally {
                    renewing.set(false);
                }
            });
            CallerRunsFuture.dispatch(renewal); // nobody blocks on it
        } catch (RuntimeException e) {
            renewing.set(false);
            LOG.log(Level.WARNING, "watchdog renewal for " + errors.engine() + " failed", e);
        }
    }

    private void settle(List<HeldLock> due, long sentAtNanos, Set<LockGrant> lost, Throwable failure) {
        if (failure != null) {
            LOG.log(
                    Level.WARNING,
                    () -> "watchdog renewal of " + due.size() + " lock(s) on " + errors.engine()
                            + " failed, retrying next period: " + failure);
            for (HeldLock lease : due) {
                events.renewalFailed(lease.name, failure);
            }
            return;
        }
        for (HeldLock lease : due) {
            if (lost != null && lost.contains(lease.grant())) {
                LockLostException refused = new LockLostException(
                        lease.name,
                        errors.engine() + " refused to renew " + EngineErrors.lock(lease.name)
                                + ": the backend no longer holds it for this owner");
                events.renewalFailed(lease.name, refused);
                lease.leaseLost(refused);
            } else {
                lease.renewed(sentAtNanos);
                events.renewed(lease.name);
            }
        }
    }
}
