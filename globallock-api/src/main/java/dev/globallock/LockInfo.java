/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** What the backend says about a lock right now, as far as it can tell. Immutable. */
public final class LockInfo {
    private final String name;
    private final boolean held;
    private final OptionalLong fencingToken;
    private final Optional<Duration> remainingLease;

    private LockInfo(String name, boolean held, OptionalLong fencingToken, Optional<Duration> remainingLease) {
        this.name = Objects.requireNonNull(name, "name");
        this.held = held;
        this.fencingToken = Objects.requireNonNull(fencingToken, "fencingToken");
        this.remainingLease = Objects.requireNonNull(remainingLease, "remainingLease");
    }

    /** A lock nobody holds. */
    public static LockInfo free(String name) {
        return new LockInfo(name, false, OptionalLong.empty(), Optional.empty());
    }

    /** A held lock, with what the backend could tell about its holder. */
    public static LockInfo held(String name, OptionalLong fencingToken, Optional<Duration> remainingLease) {
        return new LockInfo(name, true, fencingToken, remainingLease);
    }

    public String name() {
        return name;
    }

    public boolean isHeld() {
        return held;
    }

    /** The current holder's fencing token, where the backend can tell. */
    public OptionalLong fencingToken() {
        return fencingToken;
    }

    /** How long the current lease has left, where the backend can tell. */
    public Optional<Duration> remainingLease() {
        return remainingLease;
    }

    @Override
    public String toString() {
        if (!held) {
            return "LockInfo{" + name + ": free}";
        }
        return "LockInfo{" + name + ": held"
                + (fencingToken.isPresent() ? ", fencingToken=" + fencingToken.getAsLong() : "")
                + remainingLease
                        .map(d -> ", remainingLease=" + Durations.format(d))
                        .orElse("") + "}";
    }
}
