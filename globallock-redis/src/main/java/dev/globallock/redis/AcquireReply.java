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
    /** A semaphore's holders gave other permits: theirs (else 0), and how many hold. */
    final long heldPermits;

    final long holders;

    private AcquireReply(boolean acquired, long token, long pttl) {
        this(acquired, token, pttl, 0, 0);
    }

    private AcquireReply(boolean acquired, long token, long pttl, long heldPermits, long holders) {
        this.acquired = acquired;
        this.token = token;
        this.pttl = pttl;
        this.heldPermits = heldPermits;
        this.holders = holders;
    }

    /** Decodes a shared mode's acquire script: as {@link #decode}, or {permits, holders} for a disagreement. */
    static AcquireReply decodeShared(Object reply) {
        if (reply instanceof java.util.List) {
            java.util.List<?> list = (java.util.List<?>) reply;
            return new AcquireReply(false, 0, 0, asLong(list.get(0)), asLong(list.get(1)));
        }
        return decode(reply);
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
