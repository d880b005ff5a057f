/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the parts of one manager share: its engine, settings, lease rules, clock, event listener,
 * scheduler and error translation, and whether it is closed; and the rule that turns a lock name
 * into the engine's key. Thread-safe.
 */
final class ManagerContext {
    private static final AtomicInteger SCHEDULER_IDS = new AtomicInteger();

    final LockEngine engine;
    final EngineCapabilities capabilities;
    final ManagerSettings settings;
    final LeaseRules leases;
    final Ticker ticker;
    /** The application's listener, guarded: what it throws is logged. */
    final LockEventListener events;
    /** False when nobody listens: the hot path then skips building the events. */
    final boolean hasEvents;
    /** One thread: timers and short tasks, never blocking I/O. Lent to the engine. */
    final ScheduledThreadPoolExecutor scheduler;

    final EngineFailures failures;

    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @throws LockConfigException when the configured leases do not suit the engine
     */
    ManagerContext(LockEngine engine, ManagerSettings settings, Ticker ticker, LockEventListener events) {
        this.engine = engine;
        this.capabilities = Objects.requireNonNull(engine.capabilities(), "engine capabilities");
        this.settings = settings;
        this.ticker = ticker;
        this.events = SafeLockEventListener.wrap(events);
        this.hasEvents = this.events != SafeLockEventListener.NONE;
        this.failures = new EngineFailures(engine, settings.operationTimeout);
        this.leases = new LeaseRules(settings, capabilities, failures.engine());
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "globallock-" + engine.name() + "-" + SCHEDULER_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
    }

    /** What the engine is lent: the scheduler and the clock. */
    EngineContext engineContext() {
        return new EngineContext() {
            @Override
            public ScheduledExecutorService scheduler() {
                return scheduler;
            }

            @Override
            public Ticker ticker() {
                return ticker;
            }
        };
    }

    /**
     * Validates a lock name and returns its prefixed key.
     *
     * @throws IllegalStateException when the manager is closed
     * @throws IllegalArgumentException for an invalid name
     */
    String keyFor(String name) {
        Objects.requireNonNull(name, "lock name");
        if (closed.get()) {
            throw failures.closed(name);
        }
        LockNames.check(name, settings.keyPrefix, capabilities.maximumKeyBytes(), engine.name());
        return settings.keyPrefix.isEmpty() ? name : settings.keyPrefix + name;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Marks the manager closed; false when it was already. */
    boolean close() {
        return closed.compareAndSet(false, true);
    }
}
