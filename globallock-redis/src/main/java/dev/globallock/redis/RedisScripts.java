/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Lua scripts of the lock protocol. Each runs atomically on the node that owns the lock's
 * slot; the engine sends them with EVALSHA and falls back to EVAL (which loads them) on NOSCRIPT.
 * The lock's value is its owner id; its fencing token is the lock's counter, which moves only when
 * the lock is granted (and when Redlock raises it to the token of a majority), so it is the
 * holder's token for as long as the lock is held.
 *
 * <p>The scripts are kept to the fewest {@code redis.call}s and no string formatting on the hot
 * path: Redis runs them on its only thread, so their time is on every client's critical path (an
 * uncontended acquire is a SET NX PX and an INCR, about as cheap as a script can be).
 */
final class RedisScripts {
    private RedisScripts() {}

    /**
     * KEYS: lock, fence. ARGV: owner, lease ms. Returns the token (positive) when granted, or when
     * this owner already holds the lock (a re-sent attempt is recognised, not granted twice: its
     * token is the counter, unchanged since the grant); else {@code -1 - pttl} (zero or negative)
     * with the holder's remaining lease in ms ({@code pttl} -1 when the lock has no expiry).
     *
     * <p>The token is the fencing counter after INCR. When INCR finds no counter (a new name, or a
     * counter lost with the data set) it starts from the server's TIME in microseconds, which is
     * larger than any token handed out before: a counter moves by one per grant, and no name is
     * granted more than once per microsecond. Tokens go backwards only if the counter is lost and the
     * server clock is set back at the same time.
     */
    static final Script ACQUIRE = new Script(
            "acquire",
            "local c\n"
                    + "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then\n"
                    + "  c = redis.call('INCR', KEYS[2])\n"
                    + "elseif redis.call('GET', KEYS[1]) == ARGV[1] then\n"
                    + "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                    + "  c = tonumber(redis.call('GET', KEYS[2])) or redis.call('INCR', KEYS[2])\n"
                    + "else\n"
                    + "  return -1 - redis.call('PTTL', KEYS[1])\n"
                    + "end\n"
                    + "if c == 1 then\n"
                    + "  local t = redis.call('TIME')\n"
                    + "  c = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
                    + "  redis.call('SET', KEYS[2], string.format('%.0f', c))\n"
                    + "end\n"
                    + "return c\n");

    /**
     * KEYS: lock. ARGV: owner, publish command (PUBLISH or SPUBLISH), channel. Deletes the lock only
     * if the owner holds it, then publishes the owner on the channel. Returns 1 if it deleted.
     */
    static final Script RELEASE = new Script(
            "release",
            "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
                    + "  redis.call('DEL', KEYS[1])\n"
                    + "  redis.call(ARGV[2], ARGV[3], ARGV[1])\n"
                    + "  return 1\n"
                    + "end\n"
                    + "return 0\n");

    private static final String RENEW_BODY = "local lost = {}\n"
            + "local now\n"
            + "for i = 1, #KEYS do\n"
            + "  if string.byte(ARGV[2 * i]) ~= 45 then\n"
            + "    if redis.call('GET', KEYS[i]) == ARGV[2 * i - 1] then\n"
            + "      redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])\n"
            + "    else\n"
            + "      lost[#lost + 1] = i\n"
            + "    end\n"
            + "  else\n"
            + "    if not now then\n"
            + "      local t = redis.call('TIME')\n"
            + "      now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
            + "    end\n"
            + "    local s = redis.call('ZSCORE', KEYS[i], ARGV[2 * i - 1])\n"
            + "    if s and tonumber(s) > now then\n"
            + "      redis.call('ZADD', KEYS[i], 'XX', now - tonumber(ARGV[2 * i]), ARGV[2 * i - 1])\n"
            + "    else\n"
            + "      lost[#lost + 1] = i\n"
            + "    end\n"
            + "  end\n"
            + "end\n"
            + "return lost\n";

    /**
     * KEYS: many locks. ARGV: owner and lease ms for each. Extends the leases this engine still
     * holds; returns the 1-based positions of the locks no longer held by their owner. A negative
     * lease marks a holder in a sorted set (a permit, a read or a write grant, see {@link
     * SharedScripts}): its score is moved to the end of the new lease if it has not ended yet.
     */
    static final Script RENEW = new Script("renew", RENEW_BODY);

    /**
     * {@link #RENEW} without extending anything: KEYS and ARGV as for it (the leases are ignored);
     * returns the 1-based positions of the locks no longer held by their owner.
     */
    static final Script VERIFY = new Script(
            "verify",
            "local lost = {}\n"
                    + "for i = 1, #KEYS do\n"
                    + "  if redis.call('GET', KEYS[i]) ~= ARGV[2 * i - 1] then\n"
                    + "    lost[#lost + 1] = i\n"
                    + "  end\n"
                    + "end\n"
                    + "return lost\n");

    /** {@link #RENEW} for a cluster node: its keys span several slots of the same node. */
    static final Script RENEW_CROSS_SLOT = new Script("renew", "#!lua flags=allow-cross-slot-keys\n" + RENEW_BODY);

    /** KEYS: lock, fence. Returns {owner or false, pttl, counter or false}. */
    static final Script INSPECT = new Script(
            "inspect",
            "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[2])}\n");

    /** KEYS: fence. ARGV: token. Raises the counter to at least the token (Redlock). */
    static final Script RAISE_FENCE = new Script(
            "raise-fence",
            "local last = tonumber(redis.call('GET', KEYS[1]))\n"
                    + "if not last or last < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end\n"
                    + "return 1\n");

    /**
     * KEYS: lock, fence. Deletes the fencing counter if the lock is not held; returns 1 if it
     * deleted. The lock's next grant then starts the counter from the server's TIME (see {@link
     * #ACQUIRE}), so its tokens stay above those issued before.
     */
    static final Script DISCARD_FENCE = new Script(
            "discard-fence",
            "if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('DEL', KEYS[2]) end\n" + "return 0\n");

    /** A script and its SHA-1. */
    static final class Script {
        final String name;
        final String source;
        final String sha1;
        /** The SHA-1 and the source as sent, encoded once. */
        final byte[] sha1Bytes;

        final byte[] sourceBytes;

        Script(String name, String source) {
            this.name = name;
            this.source = source;
            this.sha1 = sha1(source);
            this.sha1Bytes = sha1.getBytes(StandardCharsets.US_ASCII);
            this.sourceBytes = source.getBytes(StandardCharsets.UTF_8);
        }

        private static String sha1(String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                StringBuilder hex = new StringBuilder();
                for (byte b : digest) {
                    hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
                }
                return hex.toString();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JVM", e);
            }
        }

        @Override
        public String toString() {
            return name + "(" + sha1.substring(0, 8) + ")";
        }
    }
}
