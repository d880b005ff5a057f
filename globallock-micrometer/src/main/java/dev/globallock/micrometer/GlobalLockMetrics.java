/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.micrometer;

import dev.globallock.LockEventListener;
import dev.globallock.LockState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Micrometer meters for one {@link dev.globallock.GlobalLockManager}, fed by its events: register
 * it as the manager's event listener, then bind it to a registry.
 *
 * <pre>{@code
 * GlobalLockMetrics metrics = GlobalLockMetrics.builder().engine("redis").build();
 * GlobalLockManager locks = GlobalLockManager.builder().config(config).eventListener(metrics).build();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <table>
 * <caption>Meters (every one tagged {@code engine}, plus the builder's common tags)</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code globallock.acquire}</td><td>timer</td><td>{@code outcome} = {@code acquired},
 *     {@code timeout} or {@code failed}; {@code name} if enabled</td><td>time from asking to the
 *     outcome; reentrant acquisitions (no round trip) are not recorded</td></tr>
 * <tr><td>{@code globallock.hold}</td><td>timer</td><td>{@code name} if enabled</td><td>how long each
 *     lease was held, recorded when its last handle is released</td></tr>
 * <tr><td>{@code globallock.waiting}</td><td>gauge</td><td></td><td>acquisitions in progress
 *     (waits and single attempts)</td></tr>
 * <tr><td>{@code globallock.held}</td><td>gauge</td><td></td><td>leases acquired and not released
 *     yet (a lost lease counts until its handle is closed)</td></tr>
 * <tr><td>{@code globallock.lost}</td><td>counter</td><td>{@code state} = {@code lost} or {@code
 *     expired}; {@code name} if enabled</td><td>held leases that were lost or ran out</td></tr>
 * <tr><td>{@code globallock.renewals}</td><td>counter</td><td>{@code outcome} = {@code renewed} or
 *     {@code failed}; {@code name} if enabled</td><td>watchdog renewals of held leases, per
 *     lease</td></tr>
 * </table>
 *
 * <p>The lock name is a tag only when {@link Builder#lockNameTag(boolean)} turns it on: names can be
 * unbounded (one per invoice), and every name then makes meters of its own. Gauges never carry it.
 *
 * <p>Thread-safe. Bind it to any number of registries; events that arrive before the first
 * binding are not recorded. Works with Micrometer 1.16 and newer (and 1.15, Spring Boot 3.5's).
 */
public final class GlobalLockMetrics implements MeterBinder, LockEventListener {
    /** Timer: acquisition time, tagged {@code outcome}. */
    public static final String ACQUIRE = "globallock.acquire";
    /** Timer: time held, recorded at release. */
    public static final String HOLD = "globallock.hold";
    /** Gauge: acquisitions in progress. */
    public static final String WAITING = "globallock.waiting";
    /** Gauge: leases held. */
    public static final String HELD = "globallock.held";
    /** Counter: leases lost or expired, tagged {@code state}. */
    public static final String LOST = "globallock.lost";
    /** Counter: watchdog renewals, tagged {@code outcome}. */
    public static final String RENEWALS = "globallock.renewals";

    private final Supplier<String> engine;
    private final boolean lockNameTag;
    private final Tags commonTags;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final List<Meters> bound = new CopyOnWriteArrayList<>();

    private GlobalLockMetrics(Builder builder) {
        this.engine = builder.engine;
        this.lockNameTag = builder.lockNameTag;
        this.commonTags = builder.tags;
    }

    /** A builder; {@code engine} is the only value worth setting in most applications. */
    public static Builder builder() {
        return new Builder();
    }

    /** Registers the meters with {@code registry}; the engine tag is read now. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        String engineName = engine == null ? null : engine.get();
        Tags tags = commonTags.and("engine", engineName == null || engineName.isBlank() ? "unknown" : engineName);
        Gauge.builder(WAITING, waiting, AtomicLong::get)
                .description("lock acquisitions in progress: waits and single attempts")
                .tags(tags)
                .register(registry);
        Gauge.builder(HELD, held, AtomicLong::get)
                .description("leases acquired and not released yet")
                .tags(tags)
                .register(registry);
        bound.add(new Meters(registry, tags));
    }

    /** Acquisitions in progress now (what the {@value #WAITING} gauge shows). */
    public long waiting() {
        return waiting.get();
    }

    /** Leases held now (what the {@value #HELD} gauge shows). */
    public long held() {
        return held.get();
    }

    @Override
    public void acquired(String name, Duration waited, boolean reentrant) {
        if (reentrant) {
            return;
        }
        held.incrementAndGet();
        for (Meters meters : bound) {
            meters.acquire(Outcome.ACQUIRED, name).record(waited);
        }
    }

    @Override
    public void notAcquired(String name, Duration waited) {
        for (Meters meters : bound) {
            meters.acquire(Outcome.TIMEOUT, name).record(waited);
        }
    }

    @Override
    public void acquireFailed(String name, Duration waited, Throwable cause) {
        for (Meters meters : bound) {
            meters.acquire(Outcome.FAILED, name).record(waited);
        }
    }

    @Override
    public void released(String name, Duration heldFor) {
        held.decrementAndGet();
        for (Meters meters : bound) {
            meters.hold(name).record(heldFor);
        }
    }

    @Override
    public void lost(String name, LockState state) {
        boolean expired = state == LockState.EXPIRED;
        for (Meters meters : bound) {
            meters.lost(expired, name).increment();
        }
    }

    @Override
    public void waitStarted(String name) {
        waiting.incrementAndGet();
    }

    @Override
    public void waitEnded(String name, Duration waited) {
        waiting.decrementAndGet();
    }

    @Override
    public void renewed(String name) {
        for (Meters meters : bound) {
            meters.renewal(true, name).increment();
        }
    }

    @Override
    public void renewalFailed(String name, Throwable cause) {
        for (Meters meters : bound) {
            meters.renewal(false, name).increment();
        }
    }

    @Override
    public String toString() {
        return "GlobalLockMetrics{registries=" + bound.size() + ", lockNameTag=" + lockNameTag + "}";
    }

    private enum Outcome {
        ACQUIRED,
        TIMEOUT,
        FAILED;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** The meters of one registry; those without a name tag are made once, at binding. */
    private final class Meters {
        private final MeterRegistry registry;
        private final Tags tags;
        private final Timer[] acquire = new Timer[Outcome.values().length];
        private final Timer hold;
        private final Counter lost;
        private final Counter expired;
        private final Counter renewed;
        private final Counter renewalFailed;

        Meters(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
            for (Outcome outcome : Outcome.values()) {
                acquire[outcome.ordinal()] = lockNameTag ? null : acquireTimer(outcome, tags);
            }
            hold = lockNameTag ? null : holdTimer(tags);
            lost = lockNameTag ? null : lostCounter("lost", tags);
            expired = lockNameTag ? null : lostCounter("expired", tags);
            renewed = lockNameTag ? null : renewalCounter("renewed", tags);
            renewalFailed = lockNameTag ? null : renewalCounter("failed", tags);
        }

        Timer acquire(Outcome outcome, String name) {
            return lockNameTag ? acquireTimer(outcome, named(name)) : acquire[outcome.ordinal()];
        }

        Timer hold(String name) {
            return lockNameTag ? holdTimer(named(name)) : hold;
        }

        Counter lost(boolean expiredState, String name) {
            if (lockNameTag) {
                return lostCounter(expiredState ? "expired" : "lost", named(name));
            }
            return expiredState ? expired : lost;
        }

        Counter renewal(boolean success, String name) {
            if (lockNameTag) {
                return renewalCounter(success ? "renewed" : "failed", named(name));
            }
            return success ? renewed : renewalFailed;
        }

        private Tags named(String name) {
            return tags.and(Tag.of("name", name));
        }

        private Timer acquireTimer(Outcome outcome, Tags meterTags) {
            return Timer.builder(ACQUIRE)
                    .description("time from asking for a lock to the outcome: acquired, timeout or failed")
                    .tags(meterTags)
                    .tag("outcome", outcome.tag)
                    .register(registry);
        }

        private Timer holdTimer(Tags meterTags) {
            return Timer.builder(HOLD)
                    .description("how long leases were held, recorded at release")
                    .tags(meterTags)
                    .register(registry);
        }

        private Counter lostCounter(String state, Tags meterTags) {
            return Counter.builder(LOST)
                    .description("held leases that were lost or expired")
                    .tags(meterTags)
                    .tag("state", state)
                    .register(registry);
        }

        private Counter renewalCounter(String outcome, Tags meterTags) {
            return Counter.builder(RENEWALS)
                    .description("watchdog renewals of held leases, per lease")
                    .tags(meterTags)
                    .tag("outcome", outcome)
                    .register(registry);
        }
    }

    /** Builds {@link GlobalLockMetrics}. Not thread-safe; each value may be set once. */
    public static final class Builder {
        private Supplier<String> engine;
        private boolean lockNameTag;
        private boolean lockNameTagSet;
        private Tags tags = Tags.empty();
        private boolean tagsSet;

        private Builder() {}

        /** The {@code engine} tag, such as {@code redis} ({@code unknown} when not set). */
        public Builder engine(String engine) {
            Objects.requireNonNull(engine, "engine");
            return engine(() -> engine);
        }

        /**
         * The {@code engine} tag, read when the meters are bound (for a listener made before its
         * manager, as in {@code () -> manager.engineName()}).
         */
        public Builder engine(Supplier<String> engine) {
            Objects.requireNonNull(engine, "engine");
            if (this.engine != null) {
                throw new IllegalStateException("engine was already set");
            }
            this.engine = engine;
            return this;
        }

        /**
         * Whether the acquire, hold, lost and renewal meters carry the lock name as a {@code name}
         * tag; off by default because names can be unbounded.
         */
        public Builder lockNameTag(boolean enabled) {
            if (lockNameTagSet) {
                throw new IllegalStateException("lockNameTag was already set");
            }
            this.lockNameTagSet = true;
            this.lockNameTag = enabled;
            return this;
        }

        /** Tags added to every meter, for example to tell two managers apart. */
        public Builder tags(Iterable<Tag> tags) {
            Objects.requireNonNull(tags, "tags");
            if (tagsSet) {
                throw new IllegalStateException("tags were already set");
            }
            this.tagsSet = true;
            this.tags = Tags.of(tags);
            return this;
        }

        public GlobalLockMetrics build() {
            return new GlobalLockMetrics(this);
        }
    }
}
