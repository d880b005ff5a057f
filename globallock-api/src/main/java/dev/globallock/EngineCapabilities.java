package dev.globallock;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What an engine supports, declared once by the engine. Immutable and thread-safe.
 *
 * <p>The manager checks every request against it: an explicit lease time needs {@link
 * Capability#LEASE_TIME} and must be at least {@link #minimumLeaseTime()}; a lock key (key prefix
 * plus name, UTF-8) may not exceed {@link #maximumKeyBytes()}.
 */
public final class EngineCapabilities {
    private final EnumSet<Capability> capabilities;
    private final Duration minimumLeaseTime;
    private final int maximumKeyBytes;

    private EngineCapabilities(EnumSet<Capability> capabilities, Duration minimumLeaseTime, int maximumKeyBytes) {
        this.capabilities = capabilities;
        this.minimumLeaseTime = minimumLeaseTime;
        this.maximumKeyBytes = maximumKeyBytes;
    }

    /** Capabilities with a 1 ms minimum lease and 4096-byte keys; refine with the with-methods. */
    public static EngineCapabilities of(Capability... capabilities) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability capability : capabilities) {
            set.add(Objects.requireNonNull(capability, "capability"));
        }
        return new EngineCapabilities(set, Duration.ofMillis(1), 4096);
    }

    /** A copy with the shortest explicit lease time the backend can honour. */
    public EngineCapabilities withMinimumLeaseTime(Duration minimum) {
        Objects.requireNonNull(minimum, "minimum");
        if (minimum.isNegative() || minimum.isZero()) {
            throw new IllegalArgumentException("minimum lease time must be positive but was " + minimum);
        }
        return new EngineCapabilities(EnumSet.copyOf(capabilities), minimum, maximumKeyBytes);
    }

    /** A copy with the longest lock key, in UTF-8 bytes, the backend accepts. */
    public EngineCapabilities withMaximumKeyBytes(int maximum) {
        if (maximum < 1) {
            throw new IllegalArgumentException("maximum key length must be positive but was " + maximum);
        }
        return new EngineCapabilities(EnumSet.copyOf(capabilities), minimumLeaseTime, maximum);
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

    @Override
    public String toString() {
        return "EngineCapabilities" + capabilities + " minimumLeaseTime=" + Durations.format(minimumLeaseTime)
                + " maximumKeyBytes=" + maximumKeyBytes;
    }
}
