package dev.globallock.redis;

import dev.globallock.Capability;
import dev.globallock.EngineCapabilities;
import dev.globallock.GlobalLockException;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockInfo;
import dev.globallock.LockLostException;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.RateLimiterEngine;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.EngineErrors;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

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
 * <p>Thread-safe.
 */
public final class RedisLockEngine implements LockEngine, Abandonable {
    private static final System.Logger LOG = System.getLogger(RedisLockEngine.class.getName());
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MAX_WAIT_SLICE_MILLIS = 10_000;
    private static final long UNKNOWN_TTL_WAIT_MILLIS = 1_000;
    private static final int KEY_CACHE_SIZE = 1024;
    private static final long MIN_FAILURE_BACKOFF_MILLIS = 25;
    private static final long MAX_FAILURE_BACKOFF_MILLIS = 500;
    /** What every redis engine supports; Redlock needs longer leases (100 ms). */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
                    Capability.LEASE_TIME,
                    Capability.FENCING_TOKENS,
                    Capability.WAIT_NOTIFICATION,
                    Capability.RATE_LIMITER)
            .withMinimumLeaseTime(Duration.ofMillis(10));

    private final RedisEngineConfig config;
    private final EngineCapabilities capabilities;
    private final Backend backend;
    private final ThreadPoolExecutor io;
    /** How the engine's futures run their I/O: on the caller that waits, else on {@link #io}. */
    private final CallerRunsPolicy callerRuns;

    private final EngineErrors errors = EngineErrors.of("redis", this::describeEndpoint);
    private final byte[] ownerPrefix;
    private final AtomicLong ownerSequence = new AtomicLong();
    private final ReentrantLock waitLock = new ReentrantLock();
    /** Written with the wait lock held; read without it only to see that nothing is subscribed. */
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    private final Set<Waiter> waiters = new HashSet<>();
    private final AtomicLong lastTopologyRefresh = new AtomicLong();
    /** The Redis names of recently used keys, so that a busy lock does not build them on every acquisition. */
    private final Map<String, LockKeys> keyCache = new ConcurrentHashMap<>();
    /**
     * The leases granted and not released, with where to report their loss; null in cluster mode,
     * whose nodes' identities are not followed.
     */
    private final Map<RedisGrant, Held> held;
    /**
     * The connection failure of the last acquisition attempt, until an attempt gets an answer: what
     * {@link #connectionProblem()} reports. Read after every answered attempt, written only on failures.
     * Until the first answer it is a {@link NeverAnswered} (wrapping the failure, if any): connection
     * failures are taken for a passing outage (a failover) only once the backend was reached.
     */
    private volatile RuntimeException attemptFailure = new NeverAnswered(null);

    private volatile EngineContext context;
    private volatile String closedAs;

    private RedisLockEngine(
            RedisEngineConfig config, BiFunction<Subscriber.Listener, LongSupplier, Backend> backendFactory) {
        this.config = config;
        this.capabilities = config.mode() == RedisMode.REDLOCK
                ? CAPABILITIES.withMinimumLeaseTime(Duration.ofMillis(100)).without(Capability.RATE_LIMITER)
                : CAPABILITIES;
        int id = ENGINE_IDS.incrementAndGet();
        AtomicInteger threadIds = new AtomicInteger();
        this.io = new ThreadPoolExecutor(
                config.poolSize(), config.poolSize(), 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread =
                            new Thread(runnable, "globallock-redis-" + id + "-io-" + threadIds.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.io.allowCoreThreadTimeOut(true);
        Duration oneCall = config.connectTimeout().plus(config.commandTimeout());
        this.callerRuns = CallerRunsPolicy.of(io)
                .inlineBound(config.mode() == RedisMode.REDLOCK ? oneCall.multipliedBy(2) : oneCall);
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        StringBuilder prefix = new StringBuilder();
        for (byte b : random) {
            prefix.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        this.ownerPrefix = Redis.bytes(prefix.append('-').toString());
        this.held = config.mode() == RedisMode.CLUSTER ? null : new ConcurrentHashMap<>();
        Listener listener = new Listener();
        this.backend = backendFactory.apply(listener, () -> ticker().read());
        for (NodeIdentity node : backend.nodes()) {
            node.listener(listener);
        }
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
            return new RedisLockEngine(config, (listener, ticker) -> Backends.create(config, listener, ticker));
        } catch (RuntimeException e) {
            if (e instanceof LockBackendException) {
                throw e;
            }
            throw new LockBackendException(
                    EngineErrors.of("redis", config::describeEndpoint)
                            .say("could not be opened: " + Errors.describe(e)),
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
        this.context = Objects.requireNonNull(context, "context");
    }

    // ---------------------------------------------------------------------------------- acquire

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        Objects.requireNonNull(request, "request");
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("acquire lock '" + request.name() + "'"));
        }
        CallerRunsFuture<LockGrant> future = new CallerRunsFuture<>(callerRuns);
        Waiter waiter = new Waiter(request, keysOf(request.key()), newOwner(), future);
        future.onCancel(() -> cancelled(waiter));
        // the first attempt runs on the caller that waits, or on the executor once dispatched
        return future.defer(waiter);
    }

    private void register(Waiter waiter) {
        waitLock.lock();
        try {
            waiters.add(waiter);
            waiter.registered = true;
        } finally {
            waitLock.unlock();
        }
    }

    private LockKeys keysOf(String key) {
        LockKeys keys = keyCache.get(key);
        if (keys == null) {
            keys = LockKeys.of(key);
            if (keyCache.size() >= KEY_CACHE_SIZE) {
                keyCache.clear();
            }
            keyCache.put(key, keys);
        }
        return keys;
    }

    /** The engine's random prefix and a sequence number in hex: unique per acquisition. */
    private byte[] newOwner() {
        long n = ownerSequence.incrementAndGet();
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(n)) / 4);
        byte[] owner = java.util.Arrays.copyOf(ownerPrefix, ownerPrefix.length + digits);
        for (int i = owner.length - 1; i >= ownerPrefix.length; i--, n >>>= 4) {
            owner[i] = (byte) Character.forDigit((int) (n & 0xF), 16);
        }
        return owner;
    }

    /** One attempt for the waiter; runs on an I/O thread or a blocking caller. */
    private void attempt(Waiter waiter) {
        if (waiter.future.isDone()) {
            return;
        }
        if (closedAs != null) {
            leave(waiter);
            waiter.future.completeExceptionally(closed("acquire lock '" + waiter.request.name() + "'"));
            return;
        }
        long sequenceBefore = channelSequence(waiter.keys.channel);
        // read before the attempt: a change of the master's identity after it makes this grant the former process's
        long epoch = backend.epoch();
        long sentAt = ticker().read(); // the lease starts no earlier on the server: the grant counts from here
        AcquireReply reply;
        try {
            reply = backend.acquire(waiter.keys, waiter.owner, waiter.leaseMillis);
        } catch (RuntimeException e) {
            attemptFailed(waiter, e);
            return;
        }
        if (attemptFailure != null) {
            attemptFailure = null;
        }
        if (reply.acquired) {
            RedisGrant grant = new RedisGrant(
                    waiter.request.name(), waiter.keys, waiter.owner, reply.token, waiter.leaseMillis, sentAt);
            if (held != null) {
                held.put(grant, new Held(waiter.request.listener(), epoch));
                backend.watch();
            }
            leaveIfRegistered(waiter);
            if (!waiter.future.complete(grant)) {
                forget(grant);
                releaseQuietly(grant.keys, grant.owner, waiter.leaseMillis);
            }
            return;
        }
        if (waiter.request.singleAttempt()) {
            leaveIfRegistered(waiter);
            waiter.future.complete(null);
            return;
        }
        awaitRelease(waiter, reply.pttl, sequenceBefore);
    }

    /**
     * The channel's message sequence if it is subscribed, or -1: a change means a release was
     * announced. -1 is always safe: the waiter then retries once more after subscribing.
     */
    private long channelSequence(String channelName) {
        if (channels.isEmpty()) {
            return -1;
        }
        waitLock.lock();
        try {
            Channel channel = channels.get(channelName);
            return channel == null || channel.confirmed.isEmpty() ? -1 : channel.sequence;
        } finally {
            waitLock.unlock();
        }
    }

    /** The lock was taken: join its channel and wait for a release message or the holder's lease to end. */
    private void awaitRelease(Waiter waiter, long pttl, long sequenceBefore) {
        boolean retryNow;
        waitLock.lock();
        try {
            if (waiter.future.isDone() || closedAs != null) {
                return;
            }
            waiter.failingSinceNanos = 0;
            waiter.failures = 0;
            // answered for this owner: an earlier attempt whose connection broke had not granted it here
            waiter.ambiguous = false;
            if (!waiter.registered) {
                waiters.add(waiter);
                waiter.registered = true;
            }
            Channel channel = waiter.channel;
            if (channel == null) {
                channel = join(waiter);
            }
            // subscribed, and a release was announced since the attempt was sent: it may have been missed
            retryNow = !channel.confirmed.isEmpty() && channel.sequence != sequenceBefore;
            waiter.running = retryNow;
            if (!retryNow) {
                long delay = pttl < 0 ? UNKNOWN_TTL_WAIT_MILLIS : Math.min(MAX_WAIT_SLICE_MILLIS, pttl + 1);
                schedule(waiter, delay);
            }
        } finally {
            waitLock.unlock();
        }
        if (retryNow) {
            retry(waiter);
        }
    }

    /** Called with the wait lock held: adds the waiter to its lock's channel, subscribing if it is new. */
    private Channel join(Waiter waiter) {
        Channel channel = channels.get(waiter.keys.channel);
        if (channel == null) {
            channel = new Channel(waiter.keys, backend.subscribersFor(waiter.keys));
            channels.put(waiter.keys.channel, channel);
            for (Subscriber subscriber : channel.routes) {
                subscriber.subscribe(channel.name);
            }
        }
        channel.waiters.add(waiter);
        waiter.channel = channel;
        return channel;
    }

    /** Called with the wait lock held. */
    private void schedule(Waiter waiter, long delayMillis) {
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
        }
        EngineContext ctx = context;
        if (ctx == null) {
            throw new IllegalStateException("the redis engine was not started: call start(EngineContext) first");
        }
        try {
            waiter.timer = ctx.scheduler().schedule(() -> wake(waiter), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            waiter.timer = null; // the manager is closing; it cancels its waits
        }
    }

    /** Retries the waiter now, unless an attempt is already running or it is done. */
    private void wake(Waiter waiter) {
        waitLock.lock();
        try {
            if (waiter.running || waiter.future.isDone() || closedAs != null) {
                return;
            }
            waiter.running = true;
            if (waiter.timer != null) {
                waiter.timer.cancel(false);
                waiter.timer = null;
            }
        } finally {
            waitLock.unlock();
        }
        retry(waiter);
    }

    /** Runs another attempt: on the waiter's blocked caller if it has one, else on the I/O executor. */
    private void retry(Waiter waiter) {
        try {
            waiter.future.runSoon(() -> attempt(waiter));
        } catch (RejectedExecutionException e) {
            if (closedAs == null) {
                throw e;
            }
        }
    }

    /**
     * An attempt failed. A single attempt (wait time zero) fails at once with the error, and so does
     * a first attempt whose error will not pass by waiting (a refused password, database or script;
     * a Redlock round without a majority) or that finds the backend down before this engine ever
     * reached it (most likely a wrong address: said at once, even to an unbounded wait). Otherwise
     * the failure is taken for a passing one (a failover, a restart, slots moving, see {@link
     * Errors#passing}): the waiter joins the lock's channel, so that the subscription's confirmation
     * on the new master or a release wakes it, and tries again after a backoff (25 ms doubling to
     * 500 ms, with jitter), re-reading the topology in between, until its wait ends (the manager then
     * reports the backend unreachable with {@link #connectionProblem()}) or the failures have lasted
     * {@code failover-timeout}.
     */
    private void attemptFailed(Waiter waiter, RuntimeException error) {
        // the script may have run before the connection broke: whoever gives up undoes it
        boolean ambiguous = Errors.mayHaveRun(error);
        boolean passing = Errors.passing(error);
        boolean reached = !(attemptFailure instanceof NeverAnswered);
        if (passing || Errors.unreachable(error)) {
            attemptFailure = reached ? error : new NeverAnswered(error);
        }
        refreshTopologySoon();
        boolean fail;
        boolean undo = false;
        waitLock.lock();
        try {
            waiter.ambiguous |= ambiguous;
            if (waiter.future.isDone()) {
                undo = waiter.ambiguous; // it gave up while this attempt was in flight
                fail = false;
            } else {
                long now = ticker().read();
                boolean first = waiter.channel == null && waiter.failures == 0;
                if (waiter.request.singleAttempt()
                        || databaseRefused(error) != null
                        || (first && !(passing && reached))) {
                    fail = true;
                } else {
                    if (waiter.failingSinceNanos == 0) {
                        waiter.failingSinceNanos = now;
                    }
                    fail = now - waiter.failingSinceNanos
                            > config.failoverTimeout().toNanos();
                }
                if (fail || closedAs != null) {
                    fail = true;
                    undo = waiter.ambiguous;
                } else {
                    waiter.running = false;
                    if (!waiter.registered) {
                        waiters.add(waiter);
                        waiter.registered = true;
                    }
                    if (waiter.channel == null) {
                        join(waiter);
                    }
                    long backoff = Math.min(
                            MAX_FAILURE_BACKOFF_MILLIS, MIN_FAILURE_BACKOFF_MILLIS << Math.min(5, waiter.failures++));
                    schedule(waiter, backoff + ThreadLocalRandom.current().nextLong(1 + backoff / 4));
                }
            }
        } finally {
            waitLock.unlock();
        }
        if (fail) {
            leaveIfRegistered(waiter);
            waiter.future.completeExceptionally(
                    closedAs != null
                            ? closed("acquire lock '" + waiter.request.name() + "'")
                            : failure("acquire", "lock '" + waiter.request.name() + "'", error));
        } else if (!waiter.future.isDone()) {
            LOG.log(Level.DEBUG, () -> "retrying lock '" + waiter.request.name() + "' after " + Errors.describe(error));
        }
        if (undo) {
            releaseQuietly(waiter.keys, waiter.owner, waiter.leaseMillis);
        }
    }

    private void cancelled(Waiter waiter) {
        boolean wasWoken;
        boolean undo;
        Channel channel;
        waitLock.lock();
        try {
            channel = waiter.channel;
            wasWoken = waiter.running && channel != null;
            // an attempt whose connection broke may have been granted; one still in flight undoes it itself
            undo = waiter.ambiguous && !waiter.running;
        } finally {
            waitLock.unlock();
        }
        leave(waiter);
        if (undo) {
            releaseQuietly(waiter.keys, waiter.owner, waiter.leaseMillis);
        }
        if (wasWoken && channel != null) {
            // it may have been woken by a release: pass the wake-up on
            wakeOne(channel);
        }
    }

    /**
     * {@link #leave} from the waiter's own attempt: only the attempts register a waiter that was not
     * registered at once, and they run one after the other, so no lock is needed to see that it never was.
     */
    private void leaveIfRegistered(Waiter waiter) {
        if (waiter.registered) {
            leave(waiter);
        }
    }

    /** Removes the waiter; drops the channel's subscription when it was the last. */
    private void leave(Waiter waiter) {
        waitLock.lock();
        try {
            waiters.remove(waiter);
            if (waiter.timer != null) {
                waiter.timer.cancel(false);
                waiter.timer = null;
            }
            Channel channel = waiter.channel;
            if (channel != null) {
                channel.waiters.remove(waiter);
                if (channel.waiters.isEmpty() && channels.get(channel.name) == channel) {
                    channels.remove(channel.name);
                    for (Subscriber subscriber : channel.routes) {
                        subscriber.unsubscribe(channel.name);
                    }
                }
            }
        } finally {
            waitLock.unlock();
        }
    }

    private void wakeOne(Channel channel) {
        Waiter chosen = null;
        waitLock.lock();
        try {
            for (Waiter waiter : channel.waiters) {
                if (!waiter.running && !waiter.future.isDone()) {
                    chosen = waiter;
                    break;
                }
            }
        } finally {
            waitLock.unlock();
        }
        if (chosen != null) {
            wake(chosen);
        }
    }

    // ---------------------------------------------------------------------------------- release, renew, inspect

    /** The release's script call runs on the caller that waits for it, or on the executor once dispatched. */
    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        RedisGrant redisGrant = own(grant);
        forget(redisGrant);
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("release lock '" + redisGrant.name + "'"));
        }
        CallerRunsFuture<Void> future = new CallerRunsFuture<>(callerRuns);
        return future.defer(onCaller -> {
            try {
                idempotent(() -> backend.release(redisGrant.keys, redisGrant.owner));
                future.complete(null);
            } catch (RuntimeException e) {
                refreshTopologySoon();
                future.completeExceptionally(failure("release", "lock '" + redisGrant.name + "'", e));
            }
        });
    }

    /**
     * Runs an idempotent call (release, renew, inspect) and, if the connection broke (a stale pooled
     * connection after a restart, a master that failed over), re-reads the topology and runs it once
     * more. Acquisitions are never re-sent this way.
     */
    private <T> T idempotent(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (JedisConnectionException e) {
            try {
                backend.refreshTopology();
                return call.get();
            } catch (RuntimeException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    /**
     * Undoes an acquisition nobody will use: a grant that came after its waiter gave up, or an
     * attempt whose connection broke after it was sent (the script may have run; a command sent to
     * a server that hangs runs when it resumes). Owner-checked, so harmless when nothing was
     * granted. A release that meets a passing failure (the master failing over, the server not
     * answering) is tried again with a backoff until one is answered, for at most the lease (after
     * it the grant is gone anyway) or {@code failover-timeout}, whichever is shorter.
     */
    private void releaseQuietly(LockKeys keys, byte[] owner, long leaseMillis) {
        long deadline = ticker().read()
                + Math.min(
                        TimeUnit.MILLISECONDS.toNanos(leaseMillis),
                        config.failoverTimeout().toNanos());
        undo(keys, owner, deadline, 0);
    }

    private void undo(LockKeys keys, byte[] owner, long deadlineNanos, int failures) {
        try {
            execute(() -> {
                try {
                    backend.release(keys, owner);
                } catch (RuntimeException e) {
                    EngineContext ctx = context;
                    if (closedAs == null && ctx != null && Errors.passing(e) && ticker().read() - deadlineNanos < 0) {
                        long backoff = Math.min(
                                MAX_FAILURE_BACKOFF_MILLIS, MIN_FAILURE_BACKOFF_MILLIS << Math.min(5, failures));
                        try {
                            ctx.scheduler()
                                    .schedule(
                                            () -> undo(keys, owner, deadlineNanos, failures + 1),
                                            backoff,
                                            TimeUnit.MILLISECONDS);
                            return;
                        } catch (RejectedExecutionException closing) {
                            // the manager is closing: the lease ends by itself
                        }
                    }
                    LOG.log(
                            Level.DEBUG,
                            () -> "could not undo an acquisition of " + keys + "; its lease ends by itself: " + e);
                }
            });
        } catch (RuntimeException e) {
            // closing: the lease ends by itself
        }
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        List<RedisGrant> own = new ArrayList<>(grants.size());
        for (LockGrant grant : grants) {
            own.add(own(grant));
        }
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("renew " + own.size() + " lock(s)"));
        }
        if (own.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        CallerRunsFuture<Set<LockGrant>> future = new CallerRunsFuture<>(callerRuns);
        return future.defer(onCaller -> {
                    try {
                        Set<RedisGrant> lost = idempotent(() -> backend.renew(own));
                        lost.forEach(this::forget);
                        future.complete(new HashSet<>(lost));
                    } catch (RuntimeException e) {
                        refreshTopologySoon();
                        future.completeExceptionally(failure("renew", own.size() + " lock(s)", e));
                    }
                })
                .dispatch(); // to the executor at once: the watchdog does not wait
    }

    /** Deletes the lock's fencing counter ({@code {K}:fence}) if the lock is not held. */
    private CompletableFuture<Void> discard(String key) {
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("discard key '" + key + "'"));
        }
        CallerRunsFuture<Void> future = new CallerRunsFuture<>(callerRuns);
        return future.defer(onCaller -> {
                    try {
                        idempotent(() -> {
                            backend.discardFence(LockKeys.of(key));
                            return null;
                        });
                        future.complete(null);
                    } catch (RuntimeException e) {
                        future.completeExceptionally(failure("discard", "key '" + key + "'", e));
                    }
                })
                .dispatch();
    }

    /**
     * What the connections showed last: a connection to a node that failed (or, for the first one,
     * has not been answered yet), or the connection failure of the last acquisition attempt, until
     * something answers again.
     */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        Optional<LockBackendException> problem = backend.connectionProblem();
        if (problem.isPresent()) {
            return problem;
        }
        RuntimeException failure = attemptFailure;
        if (failure instanceof NeverAnswered) {
            failure = (RuntimeException) failure.getCause();
        }
        return failure == null
                ? Optional.empty()
                : Optional.of(new LockBackendException(Errors.describe(failure), failure));
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(new LockInspector() {
            @Override
            public CompletableFuture<LockInfo> inspect(String name, String key) {
                return RedisLockEngine.this.inspect(name, key);
            }

            @Override
            public CompletableFuture<Void> discard(String key) {
                return RedisLockEngine.this.discard(key);
            }
        });
    }

    /** Rate limiters on connections of their own; none in Redlock mode (see {@link RedisRateLimiter}). */
    @Override
    public Optional<RateLimiterEngine> rateLimiter() {
        return RedisRateLimiter.offeredBy(config);
    }

    private CompletableFuture<LockInfo> inspect(String name, String key) {
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("inspect lock '" + name + "'"));
        }
        CallerRunsFuture<LockInfo> future = new CallerRunsFuture<>(callerRuns);
        return future.defer(onCaller -> {
                    try {
                        future.complete(idempotent(() -> backend.inspect(name, LockKeys.of(key))));
                    } catch (RuntimeException e) {
                        future.completeExceptionally(failure("inspect", "lock '" + name + "'", e));
                    }
                })
                .dispatch();
    }

    // ---------------------------------------------------------------------------------- shutdown

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
        List<Waiter> pending;
        waitLock.lock();
        try {
            if (closedAs != null) {
                return;
            }
            closedAs = how;
            pending = new ArrayList<>(waiters);
            waiters.clear();
            channels.clear();
            if (held != null) {
                held.clear();
            }
            for (Waiter waiter : pending) {
                if (waiter.timer != null) {
                    waiter.timer.cancel(false);
                }
            }
        } finally {
            waitLock.unlock();
        }
        for (Waiter waiter : pending) {
            waiter.future.completeExceptionally(closed("acquire lock '" + waiter.request.name() + "'"));
        }
        io.shutdown();
        try {
            if (!io.awaitTermination(config.commandTimeout().toMillis() + 100, TimeUnit.MILLISECONDS)) {
                io.shutdownNow();
            }
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
        backend.close();
    }

    // ---------------------------------------------------------------------------------- helpers

    private void execute(Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException e) {
            if (closedAs == null) {
                throw e;
            }
        }
    }

    private void refreshTopologySoon() {
        long now = System.nanoTime();
        long last = lastTopologyRefresh.get();
        if (now - last > TimeUnit.MILLISECONDS.toNanos(200) && lastTopologyRefresh.compareAndSet(last, now)) {
            execute(() -> {
                try {
                    backend.refreshTopology();
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, () -> "topology refresh failed: " + e);
                }
            });
        }
    }

    private Ticker ticker() {
        EngineContext ctx = context;
        return ctx == null ? Ticker.system() : ctx.ticker();
    }

    private static RedisGrant own(LockGrant grant) {
        Objects.requireNonNull(grant, "grant");
        if (!(grant instanceof RedisGrant)) {
            throw new IllegalArgumentException("grant " + grant + " was not made by the redis engine");
        }
        return (RedisGrant) grant;
    }

    private LockBackendException closed(String what) {
        return errors.unusable("was " + closedAs, what);
    }

    private GlobalLockException failure(String operation, String what, Throwable cause) {
        String refused = databaseRefused(cause);
        if (refused != null) {
            return new LockConfigException(
                    config.databaseRefused(refused) + " (failed to " + operation + " " + what + ")", cause);
        }
        return errors.failed(operation, what, Errors.describe(cause), cause);
    }

    /** The server's reply when it refused the configured database index (SELECT on connecting), else null. */
    private static String databaseRefused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisDataException
                    && t.getMessage() != null
                    && t.getMessage().contains("DB index is out of range")) {
                return t.getMessage().trim();
            }
        }
        return null;
    }

    /** Forgets a lease that was released, or reported lost. */
    private void forget(RedisGrant grant) {
        if (held != null) {
            held.remove(grant);
        }
    }

    /**
     * A node came back as another process: every lease granted by the former one is lost (a
     * single master), or every lease is checked again in one round (Redlock). Runs on the thread
     * that opened the connection: only bookkeeping here, listeners and I/O go to the executor.
     */
    private void identityChanged(NodeIdentity node, String reason, long epoch) {
        if (held == null || held.isEmpty() || closedAs != null) {
            return;
        }
        if (config.mode() == RedisMode.REDLOCK) {
            execute(() -> checkAfterRejoin(reason));
            return;
        }
        Map<RedisGrant, Held> lost = new java.util.HashMap<>();
        for (Map.Entry<RedisGrant, Held> entry : held.entrySet()) {
            if (entry.getValue().epoch < epoch && held.remove(entry.getKey(), entry.getValue())) {
                lost.put(entry.getKey(), entry.getValue());
            }
        }
        if (lost.isEmpty()) {
            return;
        }
        LOG.log(
                Level.WARNING,
                () -> errors.engineAt() + ": " + reason + "; " + lost.size()
                        + " lease(s) it had granted are reported lost");
        execute(() -> lost.forEach((grant, lease) -> lease.listener.leaseLost(new LockLostException(
                grant.name, "lock '" + grant.name + "' was lost: " + errors.say("reconnected and " + reason)))));
    }

    /** Redlock: one check of every lease after a node came back as another process. */
    private void checkAfterRejoin(String reason) {
        List<RedisGrant> grants = new ArrayList<>(held.keySet());
        if (grants.isEmpty() || closedAs != null) {
            return;
        }
        Set<RedisGrant> lost;
        try {
            lost = idempotent(() -> backend.verify(grants));
        } catch (RuntimeException e) {
            LOG.log(
                    Level.DEBUG,
                    () -> "could not check " + grants.size() + " lease(s) after " + reason
                            + "; the watchdog's renewals will: " + Errors.describe(e));
            return;
        }
        for (RedisGrant grant : lost) {
            Held lease = held.remove(grant);
            if (lease != null) {
                lease.listener.leaseLost(new LockLostException(
                        grant.name,
                        "lock '" + grant.name + "' was lost: "
                                + errors.say("found no majority of the Redlock nodes holding it after " + reason)));
            }
        }
    }

    @Override
    public String toString() {
        return "RedisLockEngine{" + config.mode().name().toLowerCase(java.util.Locale.ROOT) + ", " + describeEndpoint()
                + (closedAs == null ? "" : ", " + closedAs) + "}";
    }

    // ---------------------------------------------------------------------------------- state

    /** {@link #attemptFailure} before any attempt was answered: the failure since, if any, is its cause. */
    private static final class NeverAnswered extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeverAnswered(RuntimeException failure) {
            super(null, failure, false, false);
        }
    }

    /** A lease granted and not released: where to report its loss, and the master's epoch before it was granted. */
    private static final class Held {
        final LeaseListener listener;
        final long epoch;

        Held(LeaseListener listener, long epoch) {
            this.listener = listener;
            this.epoch = epoch;
        }
    }

    /**
     * One pending acquisition, and the first task of its future: the first attempt. Mutable fields
     * are guarded by the wait lock.
     */
    private final class Waiter implements CallerRunsFuture.Task {
        final AcquireRequest request;
        final LockKeys keys;
        final byte[] owner;
        final long leaseMillis;
        final CallerRunsFuture<LockGrant> future;
        /**
         * In the engine's waiter set. Written with the wait lock held; the waiter's attempts (which
         * run one after another) may read it without.
         */
        volatile boolean registered;

        Channel channel;
        /** An attempt is queued or in flight. */
        boolean running = true;

        ScheduledFuture<?> timer;
        long failingSinceNanos;
        int failures;
        /** An attempt's connection broke after it was sent: the lock may have been granted to this owner. */
        boolean ambiguous;

        Waiter(AcquireRequest request, LockKeys keys, byte[] owner, CallerRunsFuture<LockGrant> future) {
            this.request = request;
            this.keys = keys;
            this.owner = owner;
            this.leaseMillis = Math.max(1, request.leaseTime().toMillis());
            this.future = future;
        }

        /** The first attempt, on the caller that waits or on an I/O thread. */
        @Override
        public void run(boolean onCaller) {
            attempt(this);
        }

        /**
         * The first attempt may sit in the executor's queue: the engine's shutdown must find it. A
         * caller that waits runs it itself; it registers only if it has to wait for a release.
         */
        @Override
        public void dispatched() {
            register(this);
        }
    }

    /** The waiters of one lock name and its subscription. Guarded by the wait lock. */
    private static final class Channel {
        final String name;
        final LockKeys keys;
        List<Subscriber> routes;
        final Set<Waiter> waiters = new LinkedHashSet<>();
        final Set<Subscriber> confirmed = new HashSet<>();
        /** Bumped on every release message and every (re)confirmed subscription. */
        long sequence;

        String lastPayload;

        Channel(LockKeys keys, List<Subscriber> routes) {
            this.name = keys.channel;
            this.keys = keys;
            this.routes = routes;
        }
    }

    /**
     * Pub/sub events, on a subscriber's reader thread, and identity changes, on the thread that
     * opened a connection: only bookkeeping here, attempts and listeners go to the executor.
     */
    private final class Listener implements Subscriber.Listener, NodeIdentity.Listener {
        @Override
        public void identityChanged(NodeIdentity node, String reason, long epoch) {
            RedisLockEngine.this.identityChanged(node, reason, epoch);
        }

        @Override
        public void confirmed(Subscriber subscriber, String channelName) {
            List<Waiter> toWake = new ArrayList<>();
            waitLock.lock();
            try {
                Channel channel = channels.get(channelName);
                if (channel == null || !channel.routes.contains(subscriber)) {
                    return;
                }
                boolean first = channel.confirmed.isEmpty();
                channel.confirmed.add(subscriber);
                if (first) {
                    channel.sequence++;
                    // releases before the subscription was active may have been missed: every waiter tries again
                    toWake.addAll(channel.waiters);
                }
            } finally {
                waitLock.unlock();
            }
            toWake.forEach(RedisLockEngine.this::wake);
        }

        @Override
        public void message(Subscriber subscriber, String channelName, String payload) {
            Channel channel;
            waitLock.lock();
            try {
                channel = channels.get(channelName);
                if (channel == null || payload.equals(channel.lastPayload)) {
                    return; // nobody waits, or the same release seen on another Redlock node
                }
                channel.lastPayload = payload;
                channel.sequence++;
            } finally {
                waitLock.unlock();
            }
            wakeOne(channel);
        }

        @Override
        public void dropped(Subscriber subscriber, Collection<String> names) {
            if (names.isEmpty() || closedAs != null) {
                return;
            }
            waitLock.lock();
            try {
                for (String name : names) {
                    Channel channel = channels.get(name);
                    if (channel != null) {
                        channel.confirmed.remove(subscriber);
                    }
                }
            } finally {
                waitLock.unlock();
            }
            List<String> copy = List.copyOf(names);
            execute(() -> reroute(copy));
        }
    }

    /** After a dropped subscription: re-reads the topology and subscribes where the channel now lives. */
    private void reroute(List<String> names) {
        try {
            backend.refreshTopology();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "topology refresh failed: " + e);
        }
        waitLock.lock();
        try {
            for (String name : names) {
                Channel channel = channels.get(name);
                if (channel == null) {
                    continue;
                }
                List<Subscriber> routes = backend.subscribersFor(channel.keys);
                for (Subscriber old : channel.routes) {
                    if (!routes.contains(old)) {
                        old.unsubscribe(name);
                        channel.confirmed.remove(old);
                    }
                }
                channel.routes = routes;
                for (Subscriber route : routes) {
                    route.subscribe(name);
                }
            }
        } finally {
            waitLock.unlock();
        }
    }
}
