package dev.globallock.redis;

import dev.globallock.Capability;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
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
import java.util.function.Function;
import redis.clients.jedis.exceptions.JedisConnectionException;

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
 * so an expired lock is taken without any message. Waiters are not granted in FIFO order.
 *
 * <h2>Threads</h2>
 *
 * Jedis calls block, so they never run on the manager's scheduler: they run on the engine's I/O
 * executor of {@code pool-size} daemon threads (idle threads time out), or on the caller's own
 * thread when it blocks on the returned future anyway (saving two thread hand-offs on the
 * uncontended path). Timers run on the manager's scheduler and only hand work to the executor.
 *
 * <p>Thread-safe.
 */
public final class RedisLockEngine implements LockEngine {
    private static final System.Logger LOG = System.getLogger(RedisLockEngine.class.getName());
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MAX_WAIT_SLICE_MILLIS = 10_000;
    private static final long UNKNOWN_TTL_WAIT_MILLIS = 1_000;
    private static final int KEY_CACHE_SIZE = 1024;

    private final RedisEngineConfig config;
    private final EngineCapabilities capabilities;
    private final Backend backend;
    private final ThreadPoolExecutor io;
    private final long inlineBoundNanos;
    private final byte[] ownerPrefix;
    private final AtomicLong ownerSequence = new AtomicLong();
    private final ReentrantLock waitLock = new ReentrantLock();
    /** Written with the wait lock held; read without it only to see that nothing is subscribed. */
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    private final Set<Waiter> waiters = new HashSet<>();
    private final AtomicLong lastTopologyRefresh = new AtomicLong();
    /** The Redis names of recently used keys, so that a busy lock does not build them on every acquisition. */
    private final Map<String, LockKeys> keyCache = new ConcurrentHashMap<>();

    private volatile EngineContext context;
    private volatile String closedAs;

    private RedisLockEngine(RedisEngineConfig config, Function<Subscriber.Listener, Backend> backendFactory) {
        this.config = config;
        this.capabilities = EngineCapabilities.of(
                        Capability.LEASE_TIME, Capability.FENCING_TOKENS, Capability.WAIT_NOTIFICATION)
                .withMinimumLeaseTime(
                        config.mode() == RedisMode.REDLOCK ? Duration.ofMillis(100) : Duration.ofMillis(10));
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
        this.inlineBoundNanos = (config.mode() == RedisMode.REDLOCK ? oneCall.multipliedBy(2) : oneCall).toNanos();
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        StringBuilder prefix = new StringBuilder();
        for (byte b : random) {
            prefix.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        this.ownerPrefix = Redis.bytes(prefix.append('-').toString());
        this.backend = backendFactory.apply(new Listener());
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
            return new RedisLockEngine(config, listener -> Backends.create(config, listener));
        } catch (RuntimeException e) {
            if (e instanceof LockBackendException) {
                throw e;
            }
            throw new LockBackendException(
                    "engine 'redis' at " + config.describeEndpoint() + " could not be opened: " + Errors.describe(e),
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
        IoFuture<LockGrant> future = new IoFuture<>(inlineBoundNanos);
        Waiter waiter = new Waiter(request, keysOf(request.key()), newOwner(), future);
        if (!request.callerWaits()) {
            // the first attempt may sit in the executor's queue: the engine's shutdown must find it.
            // A caller that waits runs it itself; it registers only if it has to wait for a release.
            register(waiter);
        }
        future.onCancel(() -> cancelled(waiter));
        return future.start(io, () -> attempt(waiter), request.callerWaits());
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
        long sentAt = ticker().read(); // the lease starts no earlier on the server: the grant counts from here
        AcquireReply reply;
        try {
            reply = backend.acquire(waiter.keys, waiter.owner, waiter.leaseMillis);
        } catch (RuntimeException e) {
            attemptFailed(waiter, e);
            return;
        }
        if (reply.acquired) {
            RedisGrant grant = new RedisGrant(
                    waiter.request.name(), waiter.keys, waiter.owner, reply.token, waiter.leaseMillis, sentAt);
            leaveIfRegistered(waiter);
            if (!waiter.future.complete(grant)) {
                releaseQuietly(grant.keys, grant.owner);
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

    private void attemptFailed(Waiter waiter, RuntimeException error) {
        boolean ambiguous = error instanceof JedisConnectionException;
        refreshTopologySoon();
        boolean fail;
        waitLock.lock();
        try {
            if (waiter.future.isDone()) {
                return;
            }
            long now = ticker().read();
            if (waiter.channel == null) {
                fail = true; // the first attempt: report it at once
            } else {
                if (waiter.failingSinceNanos == 0) {
                    waiter.failingSinceNanos = now;
                }
                fail = now - waiter.failingSinceNanos > config.failoverTimeout().toNanos();
            }
            if (!fail) {
                waiter.running = false;
                long backoff = Math.min(1000, 50L << Math.min(5, waiter.failures++));
                schedule(waiter, backoff + ThreadLocalRandom.current().nextLong(1 + backoff / 4));
            }
        } finally {
            waitLock.unlock();
        }
        if (fail) {
            leaveIfRegistered(waiter);
            waiter.future.completeExceptionally(failure("acquire", "lock '" + waiter.request.name() + "'", error));
            if (ambiguous) {
                // the script may have run before the connection broke: undo it if it did
                releaseQuietly(waiter.keys, waiter.owner);
            }
        } else {
            LOG.log(Level.DEBUG, () -> "retrying lock '" + waiter.request.name() + "' after " + Errors.describe(error));
        }
    }

    private void cancelled(Waiter waiter) {
        boolean wasWoken;
        Channel channel;
        waitLock.lock();
        try {
            channel = waiter.channel;
            wasWoken = waiter.running && channel != null;
        } finally {
            waitLock.unlock();
        }
        leave(waiter);
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

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        return release(grant, false);
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant, boolean callerWaits) {
        RedisGrant redisGrant = own(grant);
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("release lock '" + redisGrant.name + "'"));
        }
        IoFuture<Void> future = new IoFuture<>(inlineBoundNanos);
        return future.start(
                io,
                () -> {
                    try {
                        idempotent(() -> backend.release(redisGrant.keys, redisGrant.owner));
                        future.complete(null);
                    } catch (RuntimeException e) {
                        refreshTopologySoon();
                        future.completeExceptionally(failure("release", "lock '" + redisGrant.name + "'", e));
                    }
                },
                callerWaits);
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

    private void releaseQuietly(LockKeys keys, byte[] owner) {
        try {
            execute(() -> {
                try {
                    backend.release(keys, owner);
                } catch (RuntimeException e) {
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
        IoFuture<Set<LockGrant>> future = new IoFuture<>(inlineBoundNanos);
        return future.start(io, () -> {
            try {
                future.complete(new HashSet<>(idempotent(() -> backend.renew(own))));
            } catch (RuntimeException e) {
                refreshTopologySoon();
                future.completeExceptionally(failure("renew", own.size() + " lock(s)", e));
            }
        });
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(this::inspect);
    }

    private CompletableFuture<LockInfo> inspect(String name, String key) {
        if (closedAs != null) {
            return CompletableFuture.failedFuture(closed("inspect lock '" + name + "'"));
        }
        IoFuture<LockInfo> future = new IoFuture<>(inlineBoundNanos);
        return future.start(io, () -> {
            try {
                future.complete(idempotent(() -> backend.inspect(name, LockKeys.of(key))));
            } catch (RuntimeException e) {
                future.completeExceptionally(failure("inspect", "lock '" + name + "'", e));
            }
        });
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
        return new LockBackendException(
                "engine 'redis' at " + describeEndpoint() + " was " + closedAs + ": cannot " + what);
    }

    private LockBackendException failure(String operation, String what, Throwable cause) {
        return new LockBackendException(
                "engine 'redis' at " + describeEndpoint() + " failed to " + operation + " " + what + ": "
                        + Errors.describe(cause),
                cause);
    }

    @Override
    public String toString() {
        return "RedisLockEngine{" + config.mode().name().toLowerCase(java.util.Locale.ROOT) + ", " + describeEndpoint()
                + (closedAs == null ? "" : ", " + closedAs) + "}";
    }

    // ---------------------------------------------------------------------------------- state

    /** One pending acquisition. Mutable fields are guarded by the wait lock. */
    private static final class Waiter {
        final AcquireRequest request;
        final LockKeys keys;
        final byte[] owner;
        final long leaseMillis;
        final IoFuture<LockGrant> future;
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

        Waiter(AcquireRequest request, LockKeys keys, byte[] owner, IoFuture<LockGrant> future) {
            this.request = request;
            this.keys = keys;
            this.owner = owner;
            this.leaseMillis = Math.max(1, request.leaseTime().toMillis());
            this.future = future;
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

    /** Pub/sub events, on a subscriber's reader thread: only bookkeeping here, attempts go to the executor. */
    private final class Listener implements Subscriber.Listener {
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
