package dev.globallock;

import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Renews every watchdog lease of one manager every third of the watchdog lease, in one batched
 * {@link LockEngine#renew} call per tick. A lease the engine reports lost, or one that went a whole
 * lease without a successful renewal, is marked lost. Thread-safe; runs on the manager's scheduler.
 */
final class Watchdog {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    private final LockEngine engine;
    private final Ticker ticker;
    private final Supplier<Collection<HeldLock>> leases;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final long periodNanos;
    private ScheduledFuture<?> task;
    /** Told of each renewal and failed renewal; set before {@link #start}. */
    private LockEventListener events = SafeLockEventListener.NONE;

    Watchdog(LockEngine engine, Ticker ticker, Supplier<Collection<HeldLock>> leases, long leaseNanos) {
        this.engine = engine;
        this.ticker = ticker;
        this.leases = leases;
        this.periodNanos = Math.max(1, leaseNanos / 3);
    }

    void events(LockEventListener events) {
        this.events = events;
    }

    void start(ScheduledExecutorService scheduler) {
        task = scheduler.scheduleAtFixedRate(this::tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
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
                if (!lease.watchdog || !lease.state().isLocked()) {
                    continue;
                }
                if (now - lease.validUntilNanos() > 0) {
                    lease.leaseLost(new LockLostException(
                            lease.name,
                            "lock '" + lease.name + "' went a whole lease without a successful renewal by engine '"
                                    + engine.name() + "'"));
                    continue;
                }
                due.add(lease);
                grants.add(lease.grant());
            }
            if (grants.isEmpty()) {
                renewing.set(false);
                return;
            }
            engine.renew(grants).whenComplete((lost, failure) -> {
                try {
                    settle(due, now, lost, failure);
                } finally {
                    renewing.set(false);
                }
            });
        } catch (RuntimeException e) {
            renewing.set(false);
            LOG.log(Level.WARNING, "watchdog renewal for engine '" + engine.name() + "' failed", e);
        }
    }

    private void settle(List<HeldLock> due, long sentAtNanos, Set<LockGrant> lost, Throwable failure) {
        if (failure != null) {
            LOG.log(
                    Level.WARNING,
                    () -> "watchdog renewal of " + due.size() + " lock(s) on engine '" + engine.name()
                            + "' failed, retrying next period: " + failure);
            for (HeldLock lease : due) {
                events.renewalFailed(lease.name, failure);
            }
            return;
        }
        for (HeldLock lease : due) {
            if (lost != null && lost.contains(lease.grant())) {
                LockLostException refused = new LockLostException(
                        lease.name,
                        "engine '" + engine.name() + "' refused to renew lock '" + lease.name
                                + "': the backend no longer holds it for this owner");
                events.renewalFailed(lease.name, refused);
                lease.leaseLost(refused);
            } else {
                lease.renewed(sentAtNanos);
                events.renewed(lease.name);
            }
        }
    }
}
