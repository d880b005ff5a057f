/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an engine supports, declared once by the engine. Immutable and thread-safe.
 *
 * <p>The manager checks every request against it: an explicit lease time needs {@link
 * Capability#LEASE_TIME} and must be at least {@link #minimumLeaseTime()}; a lock key (key prefix
 * plus name, UTF-8) may not exceed {@link #maximumKeyBytes()}. An engine whose locks live exactly as
 * long as a client session declares the session's timeout ({@link #sessionTimeout()}), which the
 * watchdog lease then follows.
 */
public final class EngineCapabilities {
    private final EnumSet<Capability> capabilities;
    private final Duration minimumLeaseTime;
    private final int maximumKeyBytes;
    /** Null unless the engine's locks live as long as a client session. */
    private final Duration sessionTimeout;

    private EngineCapabilities(
            EnumSet<Capability> capabilities, Duration minimumLeaseTime, int maximumKeyBytes, Duration sessionTimeout) {
        this.capabilities = capabilities;
        this.minimumLeaseTime = minimumLeaseTime;
        this.maximumKeyBytes = maximumKeyBytes;
        this.sessionTimeout = sessionTimeout;
    }

    /** Capabilities with a 1 ms minimum lease and 4096-byte keys; refine with the with-methods. */
    public static EngineCapabilities of(Capability... capabilities) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability capability : capabilities) {
            set.add(Objects.requireNonNull(capability, "capability"));
        }
        return new EngineCapabilities(set, Duration.ofMillis(1), 4096, null);
    }

    /** A copy with the shortest explicit lease time the backend can honour. */
    public EngineCapabilities withMinimumLeaseTime(Duration minimum) {
        Objects.requireNonNull(minimum, "minimum");
        if (minimum.isNegative() || minimum.isZero()) {
            throw new IllegalArgumentException("minimum lease time must be positive but was " + minimum);
        }
        return new EngineCapabilities(EnumSet.copyOf(capabilities), minimum, maximumKeyBytes, sessionTimeout);
    }

    /** A copy with the longest lock key, in UTF-8 bytes, the backend accepts. */
    public EngineCapabilities withMaximumKeyBytes(int maximum) {
        if (maximum < 1) {
            throw new IllegalArgumentException("maximum key length must be positive but was " + maximum);
        }
        return new EngineCapabilities(EnumSet.copyOf(capabilities), minimumLeaseTime, maximum, sessionTimeout);
    }

    /**
     * A copy declaring that the engine's locks live exactly as long as a client session that its
     * client keeps alive by itself, and that the backend ends {@code timeout} after it last heard
     * from the client (ZooKeeper: the negotiated session timeout). See {@link #sessionTimeout()}.
     */
    public EngineCapabilities withSessionTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("session timeout must be positive but was " + timeout);
        }
        return new EngineCapabilities(EnumSet.copyOf(capabilities), minimumLeaseTime, maximumKeyBytes, timeout);
    }

    /**
     * A copy without the capability: for an engine whose configuration lacks what its provider
     * declares (Redis in Redlock mode has no rate limiter).
     */
    public EngineCapabilities without(Capability capability) {
        Objects.requireNonNull(capability, "capability");
        EnumSet<Capability> set = EnumSet.copyOf(capabilities);
        set.remove(capability);
        return new EngineCapabilities(set, minimumLeaseTime, maximumKeyBytes, sessionTimeout);
    }

    /** Whether the engine has the capability. */
    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }

    /** All declared capabilities, unmodifiable. */
    public Set<Capability> all() {
        return Collections.unmodifiableSet(capabilities);
    }

    /** The shortest explicit lease time the engine accepts. */
    public Duration minimumLeaseTime() {
        return minimumLeaseTime;
    }

    /** The longest lock key (prefix plus name) in UTF-8 bytes. */
    public int maximumKeyBytes() {
        return maximumKeyBytes;
    }

    /**
     * How long the backend keeps a lock after it last heard from its holder, when that is a client
     * session's timeout rather than the watchdog lease; empty for engines whose locks live on the
     * lease the manager renews (or on the process). When present, the manager's watchdog lease
     * defaults to it (if {@code watchdog.lease} is not configured), and a configured watchdog lease
     * longer than it is shortened to it, with a warning: a lock cannot be counted on for longer
     * after its last confirmation than the session that carries it.
     */
    public Optional<Duration> sessionTimeout() {
        return Optional.ofNullable(sessionTimeout);
    }

    @Override
    public String toString() {
        return "EngineCapabilities" + capabilities + " minimumLeaseTime=" + Durations.format(minimumLeaseTime)
                + " maximumKeyBytes=" + maximumKeyBytes
                + (sessionTimeout == null ? "" : " sessionTimeout=" + Durations.format(sessionTimeout));
    }
}
