/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to acquire a lock, as the manager hands it to the engine. Immutable; made with
 * {@link #builder()}.
 *
 * <p>The manager has already validated the name, applied the key prefix and defaults, and checked
 * the lease time against the engine's {@link dev.globallock.EngineCapabilities}.
 *
 * <p>The {@link #mode()} says what is asked for: the lock ({@link AcquireMode#EXCLUSIVE}, the
 * default, as the builder makes it), a side of a read-write lock ({@link #withMode}, {@link
 * #withDowngrade}), or one of N permits of a semaphore ({@link #withPermits}). A request of another
 * mode is an instance of a private subclass that carries the mode, and the builder knows nothing of
 * modes, so the lock's request and builder stay as small as they were: the lock path allocates
 * nothing more for the modes.
 */
public sealed class AcquireRequest {
    private final String name;
    private final String key;
    private final Duration leaseTime;
    private final boolean watchdog;
    private final boolean singleAttempt;
    private final LeaseListener listener;

    private AcquireRequest(
            String name,
            String key,
            Duration leaseTime,
            boolean watchdog,
            boolean singleAttempt,
            LeaseListener listener) {
        this.name = name;
        this.key = key;
        this.leaseTime = leaseTime;
        this.watchdog = watchdog;
        this.singleAttempt = singleAttempt;
        this.listener = listener;
    }

    /** The same request in another mode: what withMode, withPermits and withDowngrade make. */
    private static final class Moded extends AcquireRequest {
        private final AcquireMode mode;
        private final int permits;
        private final LockGrant downgrading;

        Moded(AcquireRequest base, AcquireMode mode, int permits, LockGrant downgrading) {
            super(base.name, base.key, base.leaseTime, base.watchdog, base.singleAttempt, base.listener);
            this.mode = mode;
            this.permits = permits;
            this.downgrading = downgrading;
        }

        @Override
        public AcquireMode mode() {
            return mode;
        }

        @Override
        public int permits() {
            return permits;
        }

        @Override
        public Optional<LockGrant> downgrading() {
            return Optional.ofNullable(downgrading);
        }

        @Override
        public AcquireRequest withListener(LeaseListener listener) {
            return new Moded(super.withListener(listener), mode, permits, downgrading);
        }
    }

    /** A builder: name, lease ({@code leaseTime} or {@code watchdogLease}) and listener are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * This request with another listener, for a decorator that wants to see what the engine tells
     * the manager about the lease (and passes it on).
     */
    public AcquireRequest withListener(LeaseListener listener) {
        return new AcquireRequest(
                name, key, leaseTime, watchdog, singleAttempt, Objects.requireNonNull(listener, "listener"));
    }

    /**
     * This request in {@link AcquireMode#READ} or {@link AcquireMode#WRITE} mode (or back in {@link
     * AcquireMode#EXCLUSIVE}); for a permit see {@link #withPermits}.
     *
     * @throws IllegalArgumentException for {@link AcquireMode#PERMIT}, which needs the permits
     */
    public AcquireRequest withMode(AcquireMode mode) {
        Objects.requireNonNull(mode, "mode");
        if (mode == AcquireMode.PERMIT) {
            throw new IllegalArgumentException("a PERMIT request needs its permits: use withPermits(permits)");
        }
        AcquireRequest base = plain();
        return mode == AcquireMode.EXCLUSIVE ? base : new Moded(base, mode, 1, null);
    }

    /**
     * This request for one of {@code permits} permits of the key's semaphore ({@link
     * AcquireMode#PERMIT}).
     *
     * @throws IllegalArgumentException when {@code permits} is below 1
     */
    public AcquireRequest withPermits(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1 but was " + permits);
        }
        return new Moded(plain(), AcquireMode.PERMIT, permits, null);
    }

    /**
     * This request for the key's read lock, downgrading the requester's own write grant of the same
     * key ({@link AcquireMode#READ}; see {@link #downgrading()}).
     */
    public AcquireRequest withDowngrade(LockGrant writeGrant) {
        Objects.requireNonNull(writeGrant, "writeGrant");
        return new Moded(plain(), AcquireMode.READ, 1, writeGrant);
    }

    /** This request without a mode of its own. */
    private AcquireRequest plain() {
        return getClass() == AcquireRequest.class
                ? this
                : new AcquireRequest(name, key, leaseTime, watchdog, singleAttempt, listener);
    }

    /** What is asked for; {@link AcquireMode#EXCLUSIVE} (the lock) unless made with {@link #withMode} or the like. */
    public AcquireMode mode() {
        return AcquireMode.EXCLUSIVE;
    }

    /** The semaphore's number of permits for {@link AcquireMode#PERMIT}; 1 for the other modes. */
    public int permits() {
        return 1;
    }

    /**
     * For {@link AcquireMode#READ}: the write grant of the same key that the requester holds and
     * downgrades (the same thread holds the write lock and asks for the read lock). The engine grants
     * the read at once, whoever waits, since the only holder is the requester's own writer; the write
     * grant stays held until it is released on its own. Empty otherwise.
     */
    public Optional<LockGrant> downgrading() {
        return Optional.empty();
    }

    /** The application's lock name (without the prefix): use it in messages. */
    public String name() {
        return name;
    }

    /** The prefixed key: store the lock under it (escaped as the backend requires). */
    public String key() {
        return key;
    }

    /**
     * How long the lease lasts from the moment of acquisition: an explicit lease, or the watchdog
     * lease that renewals extend.
     */
    public Duration leaseTime() {
        return leaseTime;
    }

    /** Whether the manager's watchdog will renew this lease (else it lets it expire). */
    public boolean watchdog() {
        return watchdog;
    }

    /** Whether to make exactly one attempt and complete with {@code null} if the lock is taken. */
    public boolean singleAttempt() {
        return singleAttempt;
    }

    /** Where to report what happens to the lease after it was granted. */
    public LeaseListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "AcquireRequest{name='" + name + "', key='" + key + "'"
                + (mode() == AcquireMode.EXCLUSIVE
                        ? ""
                        : ", " + mode() + (mode() == AcquireMode.PERMIT ? " of " + permits() : ""))
                + ", lease=" + leaseTime
                + (watchdog ? " (watchdog)" : "") + (singleAttempt ? ", single attempt" : "") + "}";
    }

    /**
     * Builds an {@link AcquireRequest}. Not thread-safe. Each value may be set once; {@link #build()}
     * checks that the required ones were.
     */
    public static final class Builder {
        private String name;
        private String key;
        private Duration leaseTime;
        private boolean watchdog;
        private boolean singleAttempt;
        private LeaseListener listener;

        private Builder() {}

        /** The application's lock name, for messages. Required. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            once(this.name, "name");
            this.name = name;
            return this;
        }

        /** The prefixed key the engine stores the lock under; the name when not set. */
        public Builder key(String key) {
            Objects.requireNonNull(key, "key");
            once(this.key, "key");
            this.key = key;
            return this;
        }

        /** An explicit lease: the engine lets it expire after {@code leaseTime}. This or {@link #watchdogLease}. */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseTime = lease(leaseTime);
            return this;
        }

        /**
         * A lease the manager's watchdog renews, each renewal extending it by {@code lease}. This or
         * {@link #leaseTime}.
         */
        public Builder watchdogLease(Duration lease) {
            this.leaseTime = lease(lease);
            this.watchdog = true;
            return this;
        }

        /** Exactly one attempt (wait time zero); without it the engine waits until granted or cancelled. */
        public Builder singleAttempt() {
            if (singleAttempt) {
                throw new IllegalStateException("singleAttempt was already set");
            }
            this.singleAttempt = true;
            return this;
        }

        /** Where the engine reports what happens to the lease once granted. Required. */
        public Builder listener(LeaseListener listener) {
            Objects.requireNonNull(listener, "listener");
            once(this.listener, "listener");
            this.listener = listener;
            return this;
        }

        /**
         * The request.
         *
         * @throws IllegalStateException when the name, the lease or the listener is missing
         */
        public AcquireRequest build() {
            if (name == null || leaseTime == null || listener == null) {
                throw new IllegalStateException("an acquire request needs a name, a lease (leaseTime or watchdogLease)"
                        + " and a listener; missing: " + (name == null ? "name " : "")
                        + (leaseTime == null ? "lease " : "") + (listener == null ? "listener" : ""));
            }
            return new AcquireRequest(name, key != null ? key : name, leaseTime, watchdog, singleAttempt, listener);
        }

        private Duration lease(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (leaseTime != null) {
                throw new IllegalStateException("the lease was already set (leaseTime or watchdogLease, once)");
            }
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("lease must be positive but was " + lease);
            }
            return lease;
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set");
            }
        }
    }
}
