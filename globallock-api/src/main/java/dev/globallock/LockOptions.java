/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one acquisition waits and how long its lease lasts. Immutable and thread-safe.
 *
 * <ul>
 *   <li>Wait time {@link Duration#ZERO}: one attempt. A positive wait time: wait at most that long.
 *       {@link Builder#waitForever()}: wait until acquired. Not set: the manager's default
 *       ({@code defaults.wait-time}), which itself defaults to waiting until acquired.
 *   <li>Lease time set: the lock frees itself when it elapses, whether or not the holder released
 *       it. Not set: the manager's default ({@code defaults.lease-time}); when that is absent too,
 *       the lease is kept alive by the manager's watchdog while the holder lives.
 * </ul>
 */
public final class LockOptions {
    private static final LockOptions DEFAULTS = new LockOptions(WaitMode.DEFAULT, null, null);

    private enum WaitMode {
        DEFAULT,
        BOUNDED,
        FOREVER
    }

    private final WaitMode waitMode;
    private final Duration waitTime;
    private final Duration leaseTime;

    private LockOptions(WaitMode waitMode, Duration waitTime, Duration leaseTime) {
        this.waitMode = waitMode;
        this.waitTime = waitTime;
        this.leaseTime = leaseTime;
    }

    /** Options that take every value from the manager's defaults. */
    public static LockOptions defaults() {
        return DEFAULTS;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The wait time if this request sets a bound; empty when it leaves the wait to the manager's
     * default or waits forever (see {@link #waitsForever()}).
     */
    public Optional<Duration> waitTime() {
        return Optional.ofNullable(waitTime);
    }

    /** Whether this request explicitly waits until acquired, whatever the manager's default. */
    public boolean waitsForever() {
        return waitMode == WaitMode.FOREVER;
    }

    /** Whether the wait is left to the manager's default. */
    public boolean usesDefaultWait() {
        return waitMode == WaitMode.DEFAULT;
    }

    /** The explicit lease time; empty for the manager's default (a watchdog lease if none). */
    public Optional<Duration> leaseTime() {
        return Optional.ofNullable(leaseTime);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof LockOptions)) {
            return false;
        }
        LockOptions that = (LockOptions) other;
        return waitMode == that.waitMode
                && Objects.equals(waitTime, that.waitTime)
                && Objects.equals(leaseTime, that.leaseTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(waitMode, waitTime, leaseTime);
    }

    @Override
    public String toString() {
        String wait = waitMode == WaitMode.DEFAULT
                ? "default"
                : waitMode == WaitMode.FOREVER ? "forever" : Durations.format(waitTime);
        String lease = leaseTime == null ? "default" : Durations.format(leaseTime);
        return "LockOptions{wait=" + wait + ", lease=" + lease + "}";
    }

    /**
     * Builds {@link LockOptions}. Each value may be set once; setting it twice is an {@link
     * IllegalStateException}, a negative or zero lease an {@link IllegalArgumentException}. Not
     * thread-safe.
     */
    public static final class Builder {
        private WaitMode waitMode = WaitMode.DEFAULT;
        private Duration waitTime;
        private Duration leaseTime;

        private Builder() {}

        /** Wait at most this long; {@link Duration#ZERO} makes exactly one attempt. */
        public Builder waitTime(Duration waitTime) {
            Objects.requireNonNull(waitTime, "waitTime");
            checkWaitUnset();
            if (waitTime.isNegative()) {
                throw new IllegalArgumentException("wait time must not be negative but was " + waitTime);
            }
            this.waitMode = WaitMode.BOUNDED;
            this.waitTime = waitTime;
            return this;
        }

        /** Make exactly one attempt: the same as {@code waitTime(Duration.ZERO)}. */
        public Builder noWait() {
            return waitTime(Duration.ZERO);
        }

        /** Wait until acquired, however long that takes (the wait can still be interrupted or cancelled). */
        public Builder waitForever() {
            checkWaitUnset();
            this.waitMode = WaitMode.FOREVER;
            return this;
        }

        /** The lock frees itself after this long unless released earlier. Must be positive. */
        public Builder leaseTime(Duration leaseTime) {
            Objects.requireNonNull(leaseTime, "leaseTime");
            if (this.leaseTime != null) {
                throw new IllegalStateException("lease time was already set to " + this.leaseTime);
            }
            if (leaseTime.isNegative() || leaseTime.isZero()) {
                throw new IllegalArgumentException("lease time must be positive but was " + leaseTime);
            }
            this.leaseTime = leaseTime;
            return this;
        }

        private void checkWaitUnset() {
            if (waitMode != WaitMode.DEFAULT) {
                throw new IllegalStateException("wait time was already set");
            }
        }

        /** The options. */
        public LockOptions build() {
            if (waitMode == WaitMode.DEFAULT && leaseTime == null) {
                return DEFAULTS;
            }
            return new LockOptions(waitMode, waitTime, leaseTime);
        }
    }
}
