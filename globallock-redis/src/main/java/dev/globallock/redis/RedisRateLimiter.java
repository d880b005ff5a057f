/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockBackendException;
import dev.globallock.RateLimiter;
import dev.globallock.spi.RateLimit;
import dev.globallock.spi.RateLimitState;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.EngineErrors;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The Redis engine's rate limiters, in single, Sentinel and Cluster mode: one script call (one
 * round trip) per attempt or read, on the master that owns the limiter's key, with the server's
 * {@code TIME} as the clock (see {@link RedisRateScripts}). A limiter is one key, {@code
 * {K}:rate} (the exact log, a sorted set) or {@code {K}:rate-approx} (the two counters, a hash),
 * where {@code {K}} is the escaped key prefix plus name in braces, the hash tag the lock of the same
 * name uses: a limiter lives in one cluster slot. Both expire once idle.
 *
 * <p>Not in Redlock mode: a permit granted by a majority of N independent masters does not bound
 * the total (with N = 3 and a limit of 2, grants on nodes {1,2}, {2,3} and {1,3} leave every node at
 * 2 entries but admit 3), each master ages entries by its own clock, and a refused attempt would
 * have to be undone on the nodes that granted it. Only a grant by every node would be exact, and
 * then one node down stops the limiter. See docs/rate-limiter.md.
 *
 * <p>Connections are the limiters' own ({@link RedisRateConnections}), opened on the first call
 * and closed by the manager. A call whose connection broke is sent once more on a new connection
 * (after a restart or failover the pooled ones are stale): if the first had run, the retry finds
 * its permits taken (the log's entries carry the same ids, so they are not added twice, and the
 * answer may be false for permits that were taken; the counters count them twice), which can only
 * refuse more, never admit more. Without persistence, a restarted
 * server forgets what was taken (the limiter starts afresh, as after an idle window); a failover
 * keeps what the replica had received. Thread-safe.
 */
final class RedisRateLimiter implements RateLimiterEngine {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final byte[] ONE = Redis.bytes("1");
    private static final byte[] ZERO = Redis.bytes("0");

    private final RedisEngineConfig config;
    private final EngineErrors errors;
    private final ThreadPoolExecutor io;
    private final CallerRunsPolicy callerRuns;
    private final String idPrefix;
    private final AtomicLong sequence = new AtomicLong();
    private final ReentrantLock opening = new ReentrantLock();
    private volatile RedisRateConnections connections;
    private volatile boolean closed;

    private RedisRateLimiter(RedisEngineConfig config) {
        this.config = config;
        this.errors = EngineErrors.of("redis", config::describeEndpoint);
        int id = IDS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.io = new ThreadPoolExecutor(
                config.poolSize(), config.poolSize(), 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread =
                            new Thread(runnable, "globallock-redis-rate-" + id + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.io.allowCoreThreadTimeOut(true);
        this.callerRuns =
                CallerRunsPolicy.of(io).inlineBound(config.connectTimeout().plus(config.commandTimeout()));
        this.idPrefix = Long.toHexString(RANDOM.nextLong()) + "-";
    }

    /** The rate limiters of an engine of this configuration: none in Redlock mode (see the class documentation). */
    static Optional<RateLimiterEngine> offeredBy(RedisEngineConfig config) {
        return config.mode() == RedisMode.REDLOCK ? Optional.empty() : Optional.of(new RedisRateLimiter(config));
    }

    /** The Redis key of a limiter: in the slot of the lock of the same key. */
    static String keyOf(String key, RateLimiter.Algorithm algorithm) {
        return "{" + LockKeys.escape(key) + "}" + (algorithm == RateLimiter.Algorithm.EXACT ? ":rate" : ":rate-approx");
    }

    @Override
    public CompletableFuture<RateLimitState> tryAcquire(RateLimit limit, int permits) {
        return call(limit, permits, true);
    }

    @Override
    public CompletableFuture<RateLimitState> inspect(RateLimit limit, int permits) {
        return call(limit, permits, false);
    }

    private CompletableFuture<RateLimitState> call(RateLimit limit, int permits, boolean take) {
        String what = limit.describe(permits, take);
        if (closed) {
            return CompletableFuture.failedFuture(errors.unusable("was closed", (take ? "take " : "read ") + what));
        }
        String key = keyOf(limit.key(), limit.algorithm());
        byte[][] keyThenArgs = {
            Redis.bytes(key),
            Redis.number(limit.permits()),
            Redis.number(Math.max(1, limit.windowNanos() / 1_000)),
            Redis.number(permits),
            take ? ONE : ZERO,
            take && limit.algorithm() == RateLimiter.Algorithm.EXACT
                    ? Redis.bytes(idPrefix + Long.toHexString(sequence.incrementAndGet()))
                    : ZERO
        };
        RedisScripts.Script script = limit.algorithm() == RateLimiter.Algorithm.EXACT
                ? RedisRateScripts.EXACT
                : RedisRateScripts.APPROXIMATE;
        CallerRunsFuture<RateLimitState> future = new CallerRunsFuture<>(callerRuns);
        return future.defer(onCaller -> {
            try {
                future.complete(decode(run(key, script, keyThenArgs)));
            } catch (RuntimeException e) {
                future.completeExceptionally(errors.failed(take ? "take" : "read", what, Errors.describe(e), e));
            }
        });
    }

    private Object run(String key, RedisScripts.Script script, byte[][] keyThenArgs) {
        RedisRateConnections open = connections();
        try {
            return open.onNodeOf(key, connection -> Redis.eval(connection, script, 1, keyThenArgs));
        } catch (JedisConnectionException e) {
            try {
                open.reset();
                return open.onNodeOf(key, connection -> Redis.eval(connection, script, 1, keyThenArgs));
            } catch (RuntimeException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    /** {granted, free, microseconds until the permits fit}. */
    private static RateLimitState decode(Object reply) {
        List<?> values = (List<?>) reply;
        long free = AcquireReply.asLong(values.get(1));
        if (AcquireReply.asLong(values.get(0)) == 1) {
            return RateLimitState.granted(free);
        }
        return RateLimitState.notGranted(free, TimeUnit.MICROSECONDS.toNanos(AcquireReply.asLong(values.get(2))));
    }

    private RedisRateConnections connections() {
        RedisRateConnections open = connections;
        if (open != null) {
            return open;
        }
        opening.lock();
        try {
            if (closed) {
                throw new LockBackendException(errors.say("was closed"));
            }
            if (connections == null) {
                connections = RedisRateConnections.open(config);
            }
            return connections;
        } finally {
            opening.unlock();
        }
    }

    /** Closes the limiters' connections and threads; called by the manager, before it closes the engine. */
    @Override
    public void close() {
        opening.lock();
        try {
            closed = true;
            if (connections != null) {
                connections.close();
            }
        } finally {
            opening.unlock();
        }
        io.shutdown();
    }

    @Override
    public String toString() {
        return "RedisRateLimiter{" + config.mode() + "}";
    }
}
