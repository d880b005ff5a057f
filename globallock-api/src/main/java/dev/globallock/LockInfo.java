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
    private final int holders;

    private LockInfo(String name, int holders, OptionalLong fencingToken, Optional<Duration> remainingLease) {
        this.name = Objects.requireNonNull(name, "name");
        this.held = holders > 0;
        this.holders = holders;
        this.fencingToken = Objects.requireNonNull(fencingToken, "fencingToken");
        this.remainingLease = Objects.requireNonNull(remainingLease, "remainingLease");
    }

    /** A lock nobody holds. */
    public static LockInfo free(String name) {
        return new LockInfo(name, 0, OptionalLong.empty(), Optional.empty());
    }

    /** A held lock, with what the backend could tell about its holder. */
    public static LockInfo held(String name, OptionalLong fencingToken, Optional<Duration> remainingLease) {
        return new LockInfo(name, 1, fencingToken, remainingLease);
    }

    /**
     * A semaphore or read-write lock with {@code holders} holders (permits taken, readers, or one
     * writer): the latest token among them and the longest lease left, where the backend can tell.
     *
     * @throws IllegalArgumentException when {@code holders} is below 1 (use {@link #free})
     */
    public static LockInfo heldBy(
            String name, int holders, OptionalLong fencingToken, Optional<Duration> remainingLease) {
        if (holders < 1) {
            throw new IllegalArgumentException("holders must be at least 1 but was " + holders);
        }
        return new LockInfo(name, holders, fencingToken, remainingLease);
    }

    public String name() {
        return name;
    }

    public boolean isHeld() {
        return held;
    }

    /**
     * How many hold it: 0 when free, 1 for a lock; for a semaphore the permits taken, for a
     * read-write lock the readers (or 1 writer).
     */
    public int holders() {
        return holders;
    }

    /** The current holder's fencing token (the latest among several holders), where the backend can tell. */
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
        return "LockInfo{" + name + ": held" + (holders > 1 ? " by " + holders : "")
                + (fencingToken.isPresent() ? ", fencingToken=" + fencingToken.getAsLong() : "")
                + remainingLease
                        .map(d -> ", remainingLease=" + Durations.format(d))
                        .orElse("") + "}";
    }
}
