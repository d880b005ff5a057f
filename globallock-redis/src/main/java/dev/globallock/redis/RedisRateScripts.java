/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

/**
 * The Lua scripts of the rate limiter: one call, one round trip, per attempt or read. Each runs
 * atomically on the master of its key's slot and reads the server's own clock ({@code TIME}, in
 * microseconds), never the client's, so every client of the server ages permits by one clock. They
 * are the steps of {@code SlidingWindowLog} and {@code SlidingWindowCounters} (globallock-api's
 * {@code spi.support}, what the memory and file engines run), in Lua.
 *
 * <p>Both take ARGV: the limit, the window in microseconds, the permits asked for, {@code 1} to take
 * them or {@code 0} to read. Both return {granted (1 or 0), permits free (after a grant), the
 * microseconds until the permits asked for fit (0 when granted or when they fit now)}. Their
 * writes replicate as effects (the default since Redis 5; the lock scripts rely on it too).
 */
final class RedisRateScripts {
    private RedisRateScripts() {}

    /**
     * KEYS: the log, a sorted set of the permits taken (score: the server's time in microseconds,
     * member: a unique id per permit). ARGV 5: that id (one permit) or its prefix (several:
     * {@code id:1}, {@code id:2}...). Entries at least a window old are removed first; the key
     * expires one window after its newest entry, so an idle limiter costs nothing. Memory: one
     * entry per permit in the window.
     */
    static final RedisScripts.Script EXACT = new RedisScripts.Script(
            "rate-exact",
            "local t = redis.call('TIME')\n"
                    + "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
                    + "local limit = tonumber(ARGV[1])\n"
                    + "local window = tonumber(ARGV[2])\n"
                    + "local n = tonumber(ARGV[3])\n"
                    + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)\n"
                    + "local used = redis.call('ZCARD', KEYS[1])\n"
                    + "if used + n <= limit then\n"
                    + "  if ARGV[4] ~= '1' then return {0, limit - used, 0} end\n"
                    + "  if n == 1 then\n"
                    + "    redis.call('ZADD', KEYS[1], now, ARGV[5])\n"
                    + "  else\n"
                    + "    for i = 1, n do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end\n"
                    + "  end\n"
                    + "  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1)\n"
                    + "  return {1, limit - used - n, 0}\n"
                    + "end\n"
                    + "local leaving = used + n - limit - 1\n"
                    + "local e = redis.call('ZRANGE', KEYS[1], leaving, leaving, 'WITHSCORES')\n"
                    + "local wait = tonumber(e[2]) + window - now\n"
                    + "if wait < 1 then wait = 1 end\n"
                    + "return {0, limit - used, wait}\n");

    /**
     * KEYS: the counters, a hash of {@code w} (the fixed window, {@code floor(now / window)}),
     * {@code c} (permits taken in it) and {@code p} (in the one before). The sliding count is {@code
     * p * (window - elapsed) / window + c}. The key expires two windows after the last grant.
     * Memory: three fields, whatever the limit.
     */
    static final RedisScripts.Script APPROXIMATE = new RedisScripts.Script(
            "rate-approximate",
            "local t = redis.call('TIME')\n"
                    + "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
                    + "local limit = tonumber(ARGV[1])\n"
                    + "local window = tonumber(ARGV[2])\n"
                    + "local n = tonumber(ARGV[3])\n"
                    + "local index = math.floor(now / window)\n"
                    + "local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')\n"
                    + "local w = tonumber(s[1])\n"
                    + "local c = tonumber(s[2]) or 0\n"
                    + "local p = tonumber(s[3]) or 0\n"
                    + "if w == nil or index > w + 1 then\n"
                    + "  w = index; c = 0; p = 0\n"
                    + "elseif index == w + 1 then\n"
                    + "  w = index; p = c; c = 0\n"
                    + "end\n"
                    + "local elapsed = now - w * window\n"
                    + "if elapsed < 0 then elapsed = 0 end\n"
                    + "local counted = p * (window - elapsed) / window + c\n"
                    + "if counted + n <= limit then\n"
                    + "  if ARGV[4] ~= '1' then return {0, math.floor(limit - counted), 0} end\n"
                    + "  redis.call('HSET', KEYS[1], 'w', w, 'c', c + n, 'p', p)\n"
                    + "  redis.call('PEXPIRE', KEYS[1], math.ceil(2 * window / 1000) + 1)\n"
                    + "  return {1, math.floor(limit - counted - n), 0}\n"
                    + "end\n"
                    + "local room = limit - n\n"
                    + "local wait\n"
                    + "if c <= room then\n"
                    + "  wait = math.ceil(window * (1 - (room - c) / p)) - elapsed\n"
                    + "else\n"
                    + "  wait = window - elapsed + math.ceil(window * (1 - room / c))\n"
                    + "end\n"
                    + "if wait < 1 then wait = 1 end\n"
                    + "return {0, math.floor(limit - counted), wait}\n");
}
