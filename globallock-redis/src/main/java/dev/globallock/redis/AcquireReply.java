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

    /** Decodes the ACQUIRE script's reply: {1, token} or {0, pttl}. */
    static AcquireReply decode(Object reply) {
        if (!(reply instanceof java.util.List) || ((java.util.List<?>) reply).size() != 2) {
            throw new IllegalStateException("unexpected reply from the acquire script: " + reply);
        }
        java.util.List<?> list = (java.util.List<?>) reply;
        long flag = asLong(list.get(0));
        return flag == 1 ? granted(asLong(list.get(1))) : taken(asLong(list.get(1)));
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
