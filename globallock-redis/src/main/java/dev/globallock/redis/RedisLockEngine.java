/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.Capability;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.EngineErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code redis} lock engine on Jedis: single server, Sentinel, Cluster or Redlock (see {@link
 * RedisMode}). Open it with {@link #open(RedisEngineConfig)} or through configuration ({@code
 * engine: redis}).
 *
 * <h2>Protocol</h2>
 *
 * An acquire attempt is one EVALSHA of an atomic script (SET-if-absent with a PX lease and a random
 * owner id, fencing token minted from a counter floored by the server's TIME); a release is one
 * owner-checked compare-and-delete that also publishes on the lock's channel; renewals of the
 * watchdog's leases are batched, one script call per node for up to {@code renew-batch-size}
 * locks. The lock, its counter and its channel share one hash tag (see {@code LockKeys}).
 *
 * <h2>Waiting</h2>
 *
 * A waiter is a future, never a thread. After a failed attempt it joins the lock's channel: one
 * pub/sub subscription per lock name per engine, shared by all the engine's waiters for it, held on
 * one subscriber connection (and thread) per node, and dropped when the last waiter leaves. A
 * release message wakes one local waiter; each wait is also bounded by the holder's remaining lease,
 * so an expired lock is taken without any message. Waiters are not granted in FIFO order. Once the
 * backend has answered, a waiter takes the connection failures of a failover for a passing outage:
 * it tries again with a backoff (and is woken by its channel on the new master) until its wait ends.
 *
 * <h2>Semaphores and read-write locks</h2>
 *
 * Permits, reads and writes are holders in sorted sets beside the lock's keys (see {@code
 * LockKeys.shared} and {@code SharedScripts}): one script call per attempt and per release, the same
 * waiters and wait room, renewed in the lock's batches. Not in Redlock mode.
 *
 * <h2>Threads</h2>
 *
 * Jedis calls block, so they never run on the manager's scheduler: they run on the engine's I/O
 * executor of {@code pool-size} daemon threads (idle threads time out), or on the caller's own
 * thread when it blocks on the returned future anyway (saving two thread hand-offs on the
 * uncontended path). Timers run on the manager's scheduler and only hand work to the executor.
 *
 * <h2>Restarts and failovers</h2>
 *
 * Every connection the engine opens reads the server's identity ({@code run_id}, {@code
 * master_replid}) once. While the engine holds a lease, its pub/sub connection to each node stays
 * open (Redis Cluster excepted), so a node that dies closes it at once, and it reconnects with a
 * short backoff. When a connection finds the node came back as another process (a restart, which
 * without persistence forgets every lock, or a Sentinel failover), every lease granted by the
 * former process is reported lost at once to its {@link LeaseListener}, without waiting for the
 * watchdog's next renewal. With Redlock the leases are checked again in one round instead (the node
 * is left out of majorities for the longest lease, see {@code RedlockBackend}), and those no
 * majority holds any more are reported lost.
 *
 * <p>This class adapts the protocol to {@link LockEngine}; the protocol lives in its parts ({@link
 * RedisParts}): {@link WaiterFactory}, {@link Attempts} and {@link WaitRoom} (acquisition), {@link
 * Leases} and {@link Undo} (what was granted), on the {@link Backend} of the mode.
 *
 * <p>Thread-safe.
 */
public final class RedisLockEngine implements LockEngine, Abandonable {
    /** What every redis engine supports; Redlock needs longer leases (100 ms). */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
                    Capability.LEASE_TIME,
                    Capability.FENCING_TOKENS,
                    Capability.WAIT_NOTIFICATION,
                    Capability.RATE_LIMITER,
                    Capability.SEMAPHORE,
                    Capability.READ_WRITE_LOCK)
            .withMinimumLeaseTime(Duration.ofMillis(10));

    private final RedisEngineConfig config;
    private final EngineCapabilities capabilities;
    private final EngineThreads threads;
    private final Backend backend;
    private final EngineState state;
    private final Topology topology;
    private final RideThrough rideThrough;
    private final Leases leases;
    private final WaitRoom room;
    private final WaiterFactory waiters;
    private final RedisInspector inspector;

    private RedisLockEngine(RedisEngineConfig config) {
        this.config = config;
        this.capabilities = config.mode() == RedisMode.REDLOCK
                ? CAPABILITIES
                        .withMinimumLeaseTime(Duration.ofMillis(100))
                        .without(Capability.RATE_LIMITER)
                        .without(Capability.SEMAPHORE)
                        .without(Capability.READ_WRITE_LOCK)
                : CAPABILITIES;
        RedisParts parts = new RedisParts(config);
        this.threads = parts.threads;
        this.backend = parts.backend;
        this.state = parts.state;
        this.topology = parts.topology;
        this.rideThrough = parts.rideThrough;
        this.leases = parts.leases;
        this.room = parts.room;
        this.waiters = parts.waiters;
        this.inspector = parts.inspector;
    }

    /**
     * Opens an engine. Connections are made on first use (Sentinel asks the sentinels for the master
     * at once).
     *
     * @throws LockBackendException when the sentinels cannot be reached
     */
    public static RedisLockEngine open(RedisEngineConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            return new RedisLockEngine(config);
        } catch (RuntimeException e) {
            if (e instanceof LockBackendException) {
                throw e;
            }
            throw new LockBackendException(
                    EngineErrors.of("redis", config::describeEndpoint)
                            .say("could not be opened: " + ConnectFailures.describe(config, e)),
                    e);
        }
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public EngineCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public String describeEndpoint() {
        return backend.describe();
    }

    /** The configuration this engine was opened with. */
    public RedisEngineConfig config() {
        return config;
    }

    @Override
    public void start(EngineContext context) {
        threads.start(context);
    }

    /** The first attempt runs on the caller that waits, or on the executor once dispatched. */
    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        Objects.requireNonNull(request, "request");
        if (state.isClosed()) {
            return CompletableFuture.failedFuture(state.closed("acquire lock '" + request.name() + "'"));
        }
        CallerRunsFuture<LockGrant> future = threads.future();
        return future.defer(waiters.waiter(request, future));
    }

    /** The release's script call runs on the caller that waits for it, or on the executor once dispatched. */
    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        RedisGrant redisGrant = RedisGrant.of(grant);
        leases.forget(redisGrant);
        if (state.isClosed()) {
            return CompletableFuture.failedFuture(state.closed("release lock '" + redisGrant.name + "'"));
        }
        CallerRunsFuture<Void> future = threads.future();
        return future.defer(onCaller -> {
            try {
                topology.idempotent(() -> SharedModes.release(backend, redisGrant.keys, redisGrant.owner));
                future.complete(null);
            } catch (RuntimeException e) {
                topology.refreshSoon();
                future.completeExceptionally(state.failure("release", "lock '" + redisGrant.name + "'", e));
            }
        });
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        List<RedisGrant> own = new ArrayList<>(grants.size());
        for (LockGrant grant : grants) {
            own.add(RedisGrant.of(grant));
        }
        if (state.isClosed()) {
            return CompletableFuture.failedFuture(state.closed("renew " + own.size() + " lock(s)"));
        }
        if (own.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        CallerRunsFuture<Set<LockGrant>> future = threads.future();
        return future.defer(onCaller -> {
                    try {
                        Set<RedisGrant> lost = topology.idempotent(() -> backend.renew(own));
                        lost.forEach(leases::forget);
                        future.complete(new HashSet<>(lost));
                    } catch (RuntimeException e) {
                        topology.refreshSoon();
                        future.completeExceptionally(state.failure("renew", own.size() + " lock(s)", e));
                    }
                })
                .dispatch(); // to the executor at once: the watchdog does not wait
    }

    /**
     * What the connections showed last: a connection to a node that failed (or, for the first one,
     * has not been answered yet), or the connection failure of the last acquisition attempt, until
     * something answers again.
     */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        Optional<LockBackendException> problem = backend.connectionProblem();
        return problem.isPresent() ? problem : rideThrough.problem();
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(inspector);
    }

    /** Rate limiters on connections of their own; none in Redlock mode (see {@link RedisRateLimiter}). */
    @Override
    public Optional<RateLimiterEngine> rateLimiter() {
        return RedisRateLimiter.offeredBy(config);
    }

    /** Drops the connections without releasing anything, as a crash would; the leases then run out. */
    @Override
    public void abandon() {
        shutdown("abandoned");
    }

    @Override
    public void close() {
        shutdown("closed");
    }

    private void shutdown(String how) {
        if (!state.close(how)) {
            return;
        }
        List<Waiter> pending = room.close();
        leases.clear();
        for (Waiter waiter : pending) {
            waiter.future.completeExceptionally(state.closed("acquire lock '" + waiter.request.name() + "'"));
        }
        threads.shutdown(config.commandTimeout());
        backend.close();
    }

    @Override
    public String toString() {
        String closedAs = state.closedAs();
        return "RedisLockEngine{" + config.mode().name().toLowerCase(Locale.ROOT) + ", " + describeEndpoint()
                + (closedAs == null ? "" : ", " + closedAs) + "}";
    }
}
