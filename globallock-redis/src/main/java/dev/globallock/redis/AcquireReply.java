/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

/** What one acquire attempt found: the lock granted with a token, or taken with the holder's remaining lease. */
final class AcquireReply {
    final boolean acquired;
    final long token;
    /** The holder's remaining lease in ms; negative when unknown (no expiry). */
    final long pttl;

    private AcquireReply(boolean acquired, long token, long pttl) {
        this.acquired = acquired;
        this.token = token;
        this.pttl = pttl;
    }

    static AcquireReply granted(long token) {
        return new AcquireReply(true, token, 0);
    }

    static AcquireReply taken(long pttl) {
        return new AcquireReply(false, 0, pttl);
    }

    /** Decodes the ACQUIRE script's reply: the token (positive), or {@code -1 - pttl}. */
    static AcquireReply decode(Object reply) {
        if (!(reply instanceof Long)) {
            throw new IllegalStateException("unexpected reply from the acquire script: " + reply);
        }
        long value = (Long) reply;
        return value > 0 ? granted(value) : taken(-1 - value);
    }

    static long asLong(Object value) {
        if (value instanceof Long) {
            return (Long) value;
        }
        if (value instanceof byte[]) {
            return Long.parseLong(new String((byte[]) value, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (value instanceof String) {
            return Long.parseLong((String) value);
        }
        throw new IllegalStateException("expected a number in a script reply but got " + value);
    }

    @Override
    public String toString() {
        return acquired ? "granted(" + token + ")" : "taken(pttl=" + pttl + "ms)";
    }
}
