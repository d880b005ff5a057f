/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

// tag::fenced-store[]
/**
 * A resource that protects itself from stale lock holders: it remembers, per key, the highest fencing
 * token it accepted and refuses a write that carries a lower one. The check and the write are one
 * atomic step ({@code compute}), as a database does with {@code UPDATE ... WHERE fence <= ?}.
 */
public final class FencedStore {
    private record Entry(long token, String value) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * Writes {@code value} under {@code key} for the holder of fencing token {@code token}.
     *
     * @throws StaleTokenException if a write with a higher token came first: the caller's lock has
     *     passed to someone else, and its work must stop
     */
    public void write(String key, String value, long token) {
        entries.compute(key, (k, current) -> {
            if (current != null && token < current.token()) {
                throw new StaleTokenException(key, token, current.token());
            }
            return new Entry(token, value);
        });
    }

    public Optional<String> read(String key) {
        return Optional.ofNullable(entries.get(key)).map(Entry::value);
    }

    /** A write from a holder whose lock has passed to a later one. */
    public static final class StaleTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleTokenException(String key, long token, long highest) {
            super("write to '" + key + "' with fencing token " + token + " refused: token " + highest
                    + " was seen already");
        }
    }
}
// end::fenced-store[]
