/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

/**
 * The Lua scripts of semaphores and read-write locks (see {@link LockKeys#shared}). Holders sit in
 * sorted sets scored by the end of their lease on the server's clock ({@code TIME}, ms), so a
 * crashed holder's entry is past its score within one lease and the next script that reads the set
 * removes it ({@code ZREMRANGEBYSCORE}). Tokens come from the mode's counter as for the lock (INCR,
 * started from the server's TIME in microseconds when there is none), so every grant's token is
 * greater than every earlier grant's of the same semaphore or read-write lock. An acquire returns
 * the token (positive), or {@code -1 - wait} with the ms until the earliest entry that blocks it
 * ends (at least 1), or, for a semaphore whose holders gave other permits, {@code {permits, holders}}.
 * A re-sent attempt of an owner that holds is granted again (its entry is the same, so it takes
 * nothing more; its token is new and larger).
 */
final class SharedScripts {
    private SharedScripts() {}

    private static final String NOW = "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

    private static final String TOKEN = "local function token(fence)\n"
            + "  local c = redis.call('INCR', fence)\n"
            + "  if c == 1 then\n"
            + "    c = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
            + "    redis.call('SET', fence, string.format('%.0f', c))\n"
            + "  end\n"
            + "  return c\n"
            + "end\n";

    /** The ms until the first entry of the set ends, or nil when it is empty. */
    private static final String FIRST_END = "local function firstEnd(set)\n"
            + "  local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')\n"
            + "  if #first == 0 then return nil end\n"
            + "  return math.max(1, tonumber(first[2]) - now)\n"
            + "end\n";

    /**
     * KEYS: holders, permits, fence. ARGV: owner, lease ms, permits. A permit while fewer than
     * {@code permits} hold one (not in FIFO order: like the lock's waiters).
     */
    static final RedisScripts.Script ACQUIRE_PERMIT = new RedisScripts.Script(
            "acquire-permit",
            NOW + TOKEN + FIRST_END
                    + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
                    + "local n = redis.call('ZCARD', KEYS[1])\n"
                    + "if n > 0 then\n"
                    + "  local p = tonumber(redis.call('GET', KEYS[2]))\n"
                    + "  if p and p ~= tonumber(ARGV[3]) then return {p, n} end\n"
                    + "end\n"
                    + "if n < tonumber(ARGV[3]) or redis.call('ZSCORE', KEYS[1], ARGV[1]) then\n"
                    + "  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
                    + "  redis.call('SET', KEYS[2], ARGV[3])\n"
                    + "  return token(KEYS[3])\n"
                    + "end\n"
                    + "return -1 - firstEnd(KEYS[1])\n");

    /**
     * KEYS: readers, writer, waiting writers, fence. ARGV: owner, lease ms, the owner of the write
     * grant being downgraded (or empty). A read while no writer holds or waits, or at once for the
     * holder of the write lock.
     */
    static final RedisScripts.Script ACQUIRE_READ = new RedisScripts.Script(
            "acquire-read",
            NOW + TOKEN + FIRST_END
                    + "for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end\n"
                    + "if (ARGV[3] ~= '' and redis.call('ZSCORE', KEYS[2], ARGV[3]))\n"
                    + "    or (redis.call('ZCARD', KEYS[2]) == 0 and redis.call('ZCARD', KEYS[3]) == 0)\n"
                    + "    or redis.call('ZSCORE', KEYS[1], ARGV[1]) then\n"
                    + "  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
                    + "  return token(KEYS[4])\n"
                    + "end\n"
                    + "return -1 - (firstEnd(KEYS[2]) or firstEnd(KEYS[3]))\n");

    /**
     * KEYS: writer, readers, waiting writers, fence. ARGV: owner, lease ms, 1 to queue among the
     * waiting writers when not granted (0 for a single attempt). A write while nobody holds; the
     * owner's entry among the waiting writers (which keeps new readers out) lasts one lease, and
     * the wait returned is at most half of it, so the waiter's next attempt refreshes it in time.
     */
    static final RedisScripts.Script ACQUIRE_WRITE = new RedisScripts.Script(
            "acquire-write",
            NOW + TOKEN + FIRST_END
                    + "for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end\n"
                    + "local lease = tonumber(ARGV[2])\n"
                    + "if redis.call('ZCARD', KEYS[2]) == 0\n"
                    + "    and (redis.call('ZCARD', KEYS[1]) == 0 or redis.call('ZSCORE', KEYS[1], ARGV[1])) then\n"
                    + "  redis.call('ZREM', KEYS[3], ARGV[1])\n"
                    + "  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])\n"
                    + "  return token(KEYS[4])\n"
                    + "end\n"
                    + "local wait = firstEnd(KEYS[1]) or firstEnd(KEYS[2])\n"
                    + "if ARGV[3] == '1' then\n"
                    + "  redis.call('ZADD', KEYS[3], now + lease, ARGV[1])\n"
                    + "  wait = math.max(1, math.min(wait, math.floor(lease / 2)))\n"
                    + "end\n"
                    + "return -1 - wait\n");

    /**
     * KEYS: a set of holders (or of waiting writers), and for a semaphore its permits. ARGV: owner,
     * publish command, channel. Removes the owner's entry; when it was there, publishes the owner
     * on the channel (and forgets the permits when the last holder left). Returns 1 if it removed.
     */
    static final RedisScripts.Script RELEASE = new RedisScripts.Script(
            "release-shared",
            "if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then\n"
                    + "  if KEYS[2] and redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end\n"
                    + "  redis.call(ARGV[2], ARGV[3], ARGV[1])\n"
                    + "  return 1\n"
                    + "end\n"
                    + "return 0\n");

    /**
     * KEYS: the sets of holders, then the fence. Reads without writing: returns {live holders, ms
     * until the last lease ends, counter or false}.
     */
    static final RedisScripts.Script INSPECT = new RedisScripts.Script(
            "inspect-shared",
            NOW
                    + "local n, longest = 0, 0\n"
                    + "for i = 1, #KEYS - 1 do\n"
                    + "  n = n + #redis.call('ZRANGE', KEYS[i], now + 1, '+inf', 'BYSCORE')\n"
                    + "  local last = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')\n"
                    + "  if #last > 0 then longest = math.max(longest, tonumber(last[2]) - now) end\n"
                    + "end\n"
                    + "return {n, longest, redis.call('GET', KEYS[#KEYS])}\n");
}
