/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * A monotonic source of nanoseconds, injected so lease arithmetic can be tested without sleeping.
 * Only differences between two readings mean anything. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin, never going backwards. */
    long read();

    /** The ticker backed by {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
