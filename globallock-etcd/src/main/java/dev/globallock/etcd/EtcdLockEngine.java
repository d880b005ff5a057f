package dev.globallock.etcd;

import dev.globallock.Capability;
import dev.globallock.Durations;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.LockLostException;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.CallbackPool;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.EngineErrors;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.grpc.Status;
import java.io.File;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The {@code etcd} engine on jetcd: etcd's own mutex recipe (a key per acquisition under the
 * lock's directory, the lowest create revision owns the lock; the engine's waiters near the head
 * of a queue follow its deletions through one watch of the directory they share, one further back
 * watches only the key before it), with one shared session lease for every watchdog lock and an own
 * lease for each lock with an explicit lease time.
 *
 * <p>Round trips: an uncontended acquire is one transaction (plus one lease grant the first time
 * the engine needs its session lease, or per acquisition with an explicit lease time); a release is
 * one delete (one revoke for an own lease); a watchdog renewal of K locks is one lease keep-alive
 * plus one read-only transaction confirming the K keys, sent together; a handoff is the holder's
 * delete and the watch event (plus one read-only transaction for a waiter more than 16 keys back);
 * a waiter that queues while the engine's watch of that lock is open sends nothing but its acquire
 * transaction.
 *
 * <p>Requests whose answer was lost may still be applied later (a member that was frozen runs
 * again): key names that such a request could re-create are kept out of use and swept, see {@link
 * EtcdStrayKeys}.
 *
 * <p>Thread-safe. Nothing blocks: every call returns a future and continues in jetcd's callbacks;
 * timers run on the manager's scheduler.
 */
public final class EtcdLockEngine implements LockEngine, Abandonable {
    private static final System.Logger LOG = System.getLogger(EtcdLockEngine.class.getName());

    /** etcd's minimum lease TTL with its default election timeout: 1.5 × 1 s, rounded up to whole seconds. */
    static final Duration MINIMUM_LEASE = Duration.ofSeconds(2);

    /** What every etcd engine supports. */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
                    Capability.LEASE_TIME,
                    Capability.SESSION_BOUND,
                    Capability.FIFO,
                    Capability.FENCING_TOKENS,
                    Capability.WAIT_NOTIFICATION)
            .withMinimumLeaseTime(MINIMUM_LEASE);

    /**
     * How acquisitions run: the first step (only asynchronous calls) on the caller that waits, else
     * on the thread that dispatches it; answers from the gRPC threads are delivered to the waiting
     * caller, or completed on the callback pool.
     */
    static final CallerRunsPolicy CALLER_RUNS =
            CallerRunsPolicy.of(CallerRunsPolicy.callingThread()).deliverOn(CallbackPool.shared());

    /** How often queued waiters' leases are checked for a due keep-alive. */
    private static final long WAITER_KEEPALIVE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Stray keys are looked for about once a second. */
    private static final int STRAY_SWEEP_EVERY_TICKS = 5;
    /** etcd's default --max-txn-ops is 128. */
    private static final int KEYS_PER_RENEW_TXN = 100;

    static final GetOption KEYS_ONLY = GetOption.builder().withKeysOnly(true).build();

    private static final int CLEANUP_ATTEMPTS = 12;

    private final EtcdEngineConfig config;
    private final Client client;
    private final boolean ownsClient;
    /** The state of the own client's channel; null with an application's client, whose channel is its own. */
    private final EtcdChannelState channelState;
    /** The hot requests' own path on the engine's client; null with an application's client or user/password. */
    private final EtcdDirectKv directKv;

    private final String endpoint;
    private final EngineErrors errors = EngineErrors.of("etcd", this::describeEndpoint);
    private final KV kv;
    private final Watch watch;
    private final Lease leases;
    /** Random per engine: the first half of every key name this engine writes. */
    private final long engineId = new java.security.SecureRandom().nextLong();
    /** Per lock directory, the key slots in use (queued, held, or not yet confirmed deleted). */
    private final Map<ByteSequence, Set<Integer>> busySlots = new ConcurrentHashMap<>();

    private final Map<Long, CompletableFuture<EtcdLease>> sessions = new ConcurrentHashMap<>();
    private final Set<EtcdLease> waitedOn = ConcurrentHashMap.newKeySet();
    private final Set<EtcdAcquisition> inFlight = ConcurrentHashMap.newKeySet();
    /** Per lock directory with local waiters (or lately had them), the one watch they share. */
    private final Map<ByteSequence, EtcdDirectoryWatch> directoryWatches = new ConcurrentHashMap<>();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong renewCursor = new AtomicLong();
    private final EtcdStrayKeys strayKeys = new EtcdStrayKeys(this);
    private long ticks;
    private volatile boolean abandoned;
    private volatile ScheduledExecutorService scheduler;
    private volatile Ticker ticker = Ticker.system();
    private volatile ScheduledFuture<?> keepAliveTask;

    private EtcdLockEngine(
            EtcdEngineConfig config,
            Client client,
            boolean ownsClient,
            EtcdChannelState channelState,
            EtcdDirectKv directKv) {
        this.config = config;
        this.client = client;
        this.ownsClient = ownsClient;
        this.channelState = channelState;
        this.directKv = directKv;
        this.endpoint = config.describeEndpoints();
        this.kv = client.getKVClient();
        this.watch = client.getWatchClient();
        this.leases = client.getLeaseClient();
    }

    /**
     * Opens the engine. Builds a jetcd client from the configuration, or uses the one it carries
     * (and then never closes it). Does no I/O: the first request connects.
     *
     * @throws LockBackendException when the TLS files cannot be read
     */
    public static EtcdLockEngine open(EtcdEngineConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.client().isPresent()) {
            return new EtcdLockEngine(config, config.client().get(), false, null, null);
        }
        // jetcd attaches a user's token per call, which the direct path would have to repeat
        EtcdDirectKv directKv = config.user().isEmpty() ? new EtcdDirectKv(config.requestTimeout()) : null;
        EtcdChannelState channelState = new EtcdChannelState();
        channelState.register();
        try {
            return new EtcdLockEngine(
                    config, buildClient(config, channelState, directKv), true, channelState, directKv);
        } catch (RuntimeException e) {
            channelState.deregister();
            throw e;
        }
    }

    private static Client buildClient(EtcdEngineConfig config, EtcdChannelState channelState, EtcdDirectKv directKv) {
        ClientBuilder builder = Client.builder().loadBalancerPolicy(channelState.policy());
        config.tlsAuthority().ifPresent(builder::authority);
        builder.endpoints(config.endpoints())
                .connectTimeout(config.connectTimeout())
                .keepaliveTime(config.keepaliveTime())
                .keepaliveTimeout(config.keepaliveTimeout())
                .keepaliveWithoutCalls(true)
                .retryMaxDuration(config.requestTimeout())
                // jetcd hands every unary call to its executor before writing it to the channel: writing
                // never blocks, so the thread that asks writes it (no thread hand-over per call)
                .executorService(CallerRunsPolicy.callingThread())
                .interceptor(new EtcdDeadlines(config.requestTimeout()));
        if (directKv != null) {
            builder.interceptor(directKv);
        }
        if (config.user().isPresent()) {
            builder.user(EtcdKeys.bytes(config.user().get()))
                    .password(EtcdKeys.bytes(config.password().orElseThrow().reveal()));
        }
        if (config.tls()) {
            try {
                builder.sslContext(ssl -> {
                    config.tlsCaFile().ifPresent(ca -> ssl.trustManager(ca.toFile()));
                    if (config.tlsCertFile().isPresent()) {
                        File cert = config.tlsCertFile().get().toFile();
                        File key = config.tlsKeyFile().orElseThrow().toFile();
                        ssl.keyManager(cert, key);
                    }
                });
            } catch (SSLException | RuntimeException e) {
                throw new LockBackendException(
                        EngineErrors.of("etcd", config::describeEndpoints)
                                .say("could not set up TLS from "
                                        + config.tlsCaFile()
                                                .map(Object::toString)
                                                .orElse("the system trust store")
                                        + config.tlsCertFile()
                                                .map(c -> " and " + c)
                                                .orElse("") + ": "
                                        + e.getMessage()),
                        e);
            }
        }
        return builder.build();
    }

    // ----------------------------------------------------------------------------- LockEngine

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public EngineCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String describeEndpoint() {
        return endpoint;
    }

    @Override
    public void start(EngineContext context) {
        this.scheduler = context.scheduler();
        this.ticker = context.ticker();
        if (channelState != null) {
            channelState.useClock(ticker::read);
        }
        this.keepAliveTask = scheduler.scheduleAtFixedRate(
                this::tick, WAITER_KEEPALIVE_TICK_NANOS, WAITER_KEEPALIVE_TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        Objects.requireNonNull(request, "request");
        if (scheduler == null) {
            throw new IllegalStateException("the etcd engine was not started: the manager calls start() first");
        }
        if (closed.get() || abandoned) {
            return CompletableFuture.failedFuture(
                    errors.unusable(abandoned ? "is abandoned" : "is closed", "acquire lock '" + request.name() + "'"));
        }
        EtcdAcquisition acquisition = new EtcdAcquisition(this, request);
        inFlight.add(acquisition);
        acquisition.result.whenComplete((grant, failure) -> inFlight.remove(acquisition));
        return acquisition.result; // it starts on the caller that waits for it, or when dispatched
    }

    @Override
    public CompletableFuture<Void> release(LockGrant lockGrant) {
        EtcdGrant grant = (EtcdGrant) Objects.requireNonNull(lockGrant, "grant");
        if (!grant.markReleased()) {
            return CompletableFuture.completedFuture(null);
        }
        if (abandoned) {
            return CompletableFuture.failedFuture(errors.unusable("is abandoned", "release lock '" + grant.name + "'"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        removeEventually(grant.name, grant.lease, grant.key, grant.createRevision, CLEANUP_ATTEMPTS)
                .whenComplete((retried, failure) -> {
                    keyRemoved(
                            grant.name,
                            grant.directory,
                            grant.slot,
                            grant.key,
                            grant.lease,
                            grant.uncertainLease,
                            failure == null,
                            failure != null || retried);
                    if (failure == null) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(failure("release", grant.name, failure));
                    }
                });
        return done;
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> lockGrants) {
        Map<EtcdLease, List<EtcdGrant>> byLease = new LinkedHashMap<>();
        List<EtcdGrant> all = new ArrayList<>();
        for (LockGrant lockGrant : lockGrants) {
            EtcdGrant grant = (EtcdGrant) lockGrant;
            if (!grant.isReleased()) {
                byLease.computeIfAbsent(grant.lease, lease -> new ArrayList<>()).add(grant);
                all.add(grant);
            }
        }
        if (all.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        if (closed.get() || abandoned) {
            return CompletableFuture.failedFuture(new LockBackendException(
                    errors.say("is " + (abandoned ? "abandoned" : "closed") + ": cannot renew")));
        }
        Set<EtcdGrant> lost = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> unknown = new AtomicReference<>();
        List<CompletableFuture<?>> parts = new ArrayList<>();
        for (Map.Entry<EtcdLease, List<EtcdGrant>> entry : byLease.entrySet()) {
            EtcdLease lease = entry.getKey();
            long sentAt = ticker.read();
            parts.add(keepAlive(lease, sentAt).handle((alive, failure) -> {
                if (failure != null) {
                    unknown.compareAndSet(null, failure);
                } else if (!alive) {
                    lost.addAll(entry.getValue());
                }
                return null;
            }));
        }
        parts.add(checkKeys(all, lost, unknown));
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .handle((ignored, failure) -> {
                    Set<LockGrant> result = new HashSet<>();
                    for (EtcdGrant grant : lost) {
                        if (!grant.isReleased()) {
                            result.add(grant);
                            grant.listener.leaseLost(lostException(grant));
                        }
                    }
                    Throwable problem = unknown.get();
                    for (EtcdGrant grant : all) {
                        if (!lost.contains(grant)) {
                            if (problem == null) {
                                grant.listener.ownershipConfirmed();
                            } else {
                                grant.listener.ownershipUncertain();
                            }
                        }
                    }
                    if (problem != null && result.size() < all.size()) {
                        throw new LockBackendException(
                                errors.say("could not renew " + (all.size() - result.size()) + " lock(s): "
                                        + EtcdErrors.describe(problem)),
                                EtcdErrors.unwrap(problem));
                    }
                    return result;
                });
    }

    /**
     * The keep-alive proves the lease lives; this read-only transaction, sent alongside, proves that
     * up to 100 keys are still there. With more locks it checks a rotating window, so every key is
     * checked every ceil(K / 100) periods and a renewal stays two parallel calls.
     */
    private CompletableFuture<Void> checkKeys(
            List<EtcdGrant> all, Set<EtcdGrant> lost, AtomicReference<Throwable> unknown) {
        List<EtcdGrant> ordered = new ArrayList<>(all);
        ordered.sort(java.util.Comparator.comparingLong(grant -> grant.createRevision));
        int window = Math.min(ordered.size(), KEYS_PER_RENEW_TXN);
        int start = (int) Math.floorMod(renewCursor.getAndAdd(window), (long) ordered.size());
        List<EtcdGrant> chunk = new ArrayList<>(window);
        for (int i = 0; i < window; i++) {
            chunk.add(ordered.get((start + i) % ordered.size()));
        }
        Op[] reads = new Op[chunk.size()];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = Op.get(chunk.get(i).key, KEYS_ONLY);
        }
        return bounded(kv.txn().Then(reads).commit()).handle((response, failure) -> {
            if (failure != null) {
                unknown.compareAndSet(null, failure);
                return (Void) null;
            }
            for (int i = 0; i < reads.length; i++) {
                List<KeyValue> found = response.getGetResponses().get(i).getKvs();
                EtcdGrant grant = chunk.get(i);
                if (found.isEmpty() || found.get(0).getCreateRevision() != grant.createRevision) {
                    lost.add(grant);
                }
            }
            return (Void) null;
        });
    }

    private LockLostException lostException(EtcdGrant grant) {
        return new LockLostException(
                grant.name,
                "etcd at " + endpoint + " no longer holds lock '" + grant.name + "' for this owner: "
                        + (grant.lease.isDead()
                                ? "its lease " + grant.lease.hex() + " expired or was revoked"
                                : "its key " + EtcdKeys.text(grant.key) + " was deleted"));
    }

    /**
     * What the own client's channel knows: it fails to connect (the cause: refused, not an etcd
     * port, TLS…), or has been connecting for longer than the connect timeout. Empty with an
     * application's client, whose channel the engine cannot see.
     */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        if (channelState == null || closed.get() || abandoned) {
            return Optional.empty();
        }
        return channelState.problem(config.connectTimeout()).map(LockBackendException::new);
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(this::inspect);
    }

    private CompletableFuture<LockInfo> inspect(String name, String key) {
        GetOption owner = GetOption.builder()
                .isPrefix(true)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.ASCEND)
                .withLimit(1)
                .withKeysOnly(true)
                .build();
        CompletableFuture<LockInfo> info = bounded(kv.get(EtcdKeys.lockPrefix(config.namespace(), key), owner))
                .thenCompose(response -> {
                    if (response.getKvs().isEmpty()) {
                        return CompletableFuture.completedFuture(LockInfo.free(name));
                    }
                    KeyValue holder = response.getKvs().get(0);
                    OptionalLong token = OptionalLong.of(holder.getCreateRevision());
                    if (holder.getLease() == 0) {
                        return CompletableFuture.completedFuture(LockInfo.held(name, token, Optional.empty()));
                    }
                    return bounded(leases.timeToLive(holder.getLease(), LeaseOption.DEFAULT))
                            .thenApply(ttl -> LockInfo.held(
                                    name,
                                    token,
                                    ttl.getTTL() > 0
                                            ? Optional.of(Duration.ofSeconds(ttl.getTTL()))
                                            : Optional.empty()));
                });
        return info.exceptionally(failure -> {
            throw failure("inspect", name, failure);
        });
    }

    /**
     * Drops the connection without releasing or revoking anything, as a crash would: the locks
     * end when their leases do.
     */
    @Override
    public void abandon() {
        abandoned = true;
        stopTimers();
        for (EtcdAcquisition acquisition : List.copyOf(inFlight)) {
            acquisition.result.cancel(false);
        }
        closeDirectoryWatches();
        if (ownsClient) {
            client.close();
            channelState.deregister();
        }
    }

    /**
     * Stops waiting, revokes the session leases (which deletes any key still on them) within one
     * request timeout, and closes the client unless the application supplied it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopTimers();
        for (EtcdAcquisition acquisition : List.copyOf(inFlight)) {
            acquisition.result.cancel(false);
        }
        closeDirectoryWatches();
        if (!abandoned) {
            List<CompletableFuture<?>> revokes = new ArrayList<>();
            for (CompletableFuture<EtcdLease> session : sessions.values()) {
                EtcdLease lease = session.getNow(null);
                if (lease != null && !lease.isDead()) {
                    revokes.add(leases.revoke(lease.id));
                }
            }
            sessions.clear();
            try {
                CompletableFuture.allOf(revokes.toArray(new CompletableFuture<?>[0]))
                        .get(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(
                        Level.WARNING,
                        () -> "closing the etcd engine at " + endpoint
                                + ": could not revoke its session lease; it expires by itself: "
                                + EtcdErrors.describe(e));
            }
        }
        if (ownsClient && !abandoned) {
            client.close();
            channelState.deregister();
        }
    }

    private void stopTimers() {
        ScheduledFuture<?> task = keepAliveTask;
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "EtcdLockEngine{" + endpoint + ", namespace='" + config.namespace() + "'}";
    }

    // ----------------------------------------------------------------------------- leases

    /** The lease an acquisition puts its key on: the shared session lease, or a lease of its own. */
    CompletableFuture<EtcdLease> leaseFor(AcquireRequest request) {
        long ttl = ttlSeconds(request.leaseTime());
        return request.watchdog() ? session(ttl) : ownLease(ttl, request);
    }

    static long ttlSeconds(Duration lease) {
        long seconds = lease.getSeconds() + (lease.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private CompletableFuture<EtcdLease> session(long ttl) {
        while (true) {
            CompletableFuture<EtcdLease> existing = sessions.get(ttl);
            if (existing != null) {
                EtcdLease lease = existing.getNow(null);
                if (!existing.isDone() || (lease != null && !lease.isDead())) {
                    return existing;
                }
                sessions.remove(ttl, existing);
                continue;
            }
            CompletableFuture<EtcdLease> fresh = new CompletableFuture<>();
            if (sessions.putIfAbsent(ttl, fresh) != null) {
                continue;
            }
            long sentAt = ticker.read();
            bounded(leases.grant(ttl)).whenComplete((granted, failure) -> {
                if (failure != null) {
                    sessions.remove(ttl, fresh);
                    fresh.completeExceptionally(failure);
                } else {
                    fresh.complete(new EtcdLease(granted.getID(), granted.getTTL(), true, sentAt));
                }
            });
            return fresh;
        }
    }

    private CompletableFuture<EtcdLease> ownLease(long ttl, AcquireRequest request) {
        long sentAt = ticker.read();
        return bounded(leases.grant(ttl)).thenCompose(granted -> {
            if (granted.getTTL() > ttl) {
                // etcd raised the TTL to its minimum: the lock would outlive the lease time asked for
                leases.revoke(granted.getID());
                return CompletableFuture.failedFuture(new LockBackendException(errors.engineAt()
                        + " cannot honour the lease time " + Durations.format(request.leaseTime()) + " of lock '"
                        + request.name() + "': this etcd grants leases of at least " + granted.getTTL()
                        + "s (its minimum TTL, 1.5 × the election timeout); use a lease time of at least "
                        + granted.getTTL() + "s"));
            }
            return CompletableFuture.completedFuture(new EtcdLease(granted.getID(), granted.getTTL(), false, sentAt));
        });
    }

    /**
     * One keep-alive: completes with true when the lease lives (its TTL was reset), false when etcd
     * no longer knows it (then every waiter on it is told), exceptionally when it could not tell.
     */
    private CompletableFuture<Boolean> keepAlive(EtcdLease lease, long sentAt) {
        if (lease.isDead()) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<io.etcd.jetcd.lease.LeaseKeepAliveResponse> call;
        try {
            call = leases.keepAliveOnce(lease.id);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return bounded(call).handle((response, failure) -> {
            if (failure == null && response.getTTL() > 0) {
                lease.renewed(sentAt);
                return true;
            }
            if (failure == null || EtcdErrors.leaseNotFound(failure)) {
                leaseDead(lease);
                return false;
            }
            throw new java.util.concurrent.CompletionException(EtcdErrors.unwrap(failure));
        });
    }

    void leaseDead(EtcdLease lease) {
        if (!lease.markDead()) {
            return;
        }
        if (lease.session) {
            sessions.values().removeIf(session -> session.getNow(null) == lease);
        }
        for (EtcdAcquisition waiter : List.copyOf(lease.waiters)) {
            waiter.leaseGone();
        }
    }

    void waiterQueued(EtcdLease lease, EtcdAcquisition waiter) {
        lease.waiters.add(waiter);
        waitedOn.add(lease);
    }

    void waiterDone(EtcdLease lease, EtcdAcquisition waiter) {
        if (lease != null) {
            lease.waiters.remove(waiter);
        }
    }

    /** Every 200 ms on the manager's scheduler: waiters' keep-alives; every fifth time, stray keys. */
    private void tick() {
        keepSessionsAlive();
        keepWaitersAlive();
        if (++ticks % STRAY_SWEEP_EVERY_TICKS == 0) {
            strayKeys.sweep();
        }
    }

    /**
     * Keeps every session lease alive, every third of its TTL, whether or not a lock is held on it,
     * as etcd's own {@code concurrency.Session} does. The manager's watchdog renews only the leases
     * of locks held when it ticks: a session idle across its ticks ran out up to a TTL after its last
     * renewal, and a lock taken on it just before that was freed on the server under a holder that
     * still believed it held it, until the next tick told it (another manager took the lock in the
     * meantime). Stops with the engine, and with {@link #abandon}: a crashed holder's session ends.
     */
    private void keepSessionsAlive() {
        try {
            long now = ticker.read();
            for (CompletableFuture<EtcdLease> session : sessions.values()) {
                EtcdLease lease = session.getNow(null);
                if (lease != null) {
                    keepAliveIfDue(lease, now);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "etcd engine: keeping the session leases alive failed", e);
        }
    }

    /**
     * The manager's watchdog renews leases of held locks; a lease that only queued waiters use is
     * kept alive here, every third of its TTL, so a long wait does not lose its place.
     */
    private void keepWaitersAlive() {
        try {
            long now = ticker.read();
            for (EtcdLease lease : waitedOn) {
                if (lease.waiters.isEmpty() || lease.isDead()) {
                    waitedOn.remove(lease);
                    if (!lease.waiters.isEmpty() && !lease.isDead()) {
                        waitedOn.add(lease);
                    }
                    continue;
                }
                keepAliveIfDue(lease, now);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "etcd engine: keeping queued waiters' leases alive failed", e);
        }
    }

    /** One keep-alive when a third of the TTL has passed since the last, unless one is in flight. */
    private void keepAliveIfDue(EtcdLease lease, long now) {
        if (!lease.isDead() && lease.dueForKeepAlive(now) && lease.tryStartKeepAlive()) {
            keepAlive(lease, now).whenComplete((alive, failure) -> lease.keepAliveDone());
        }
    }

    // ----------------------------------------------------------------------------- cleanup

    /**
     * Removes an acquisition's key from the server: revokes its own lease (which deletes the key), or
     * deletes the key from the session lease. Completes with the first successful attempt, telling
     * whether an earlier attempt failed (its request may still be applied late); a failed attempt is
     * retried in the background a few times, so a key never lingers on a live session.
     *
     * @param keyOrNull the key, or null when none was written
     * @param createRevision the key's create revision, or 0 when unknown (its put's answer was lost)
     */
    CompletableFuture<Boolean> removeLeftovers(
            String name, EtcdLease lease, ByteSequence keyOrNull, long createRevision) {
        if (!lease.session || keyOrNull != null) {
            return removeEventually(name, lease, keyOrNull, createRevision, CLEANUP_ATTEMPTS);
        }
        return CompletableFuture.completedFuture(false);
    }

    /**
     * What happens to a key name once its acquisition or grant is done with it. Its slot is reused,
     * unless a request of that acquisition may still be applied late: an acquire transaction whose
     * answer was lost (it could re-create the key), or a delete whose answer was lost (it could
     * delete a newer key of the same name). Then the name is kept out of use and, while a late put
     * could still land, swept by {@link EtcdStrayKeys}.
     *
     * @param removed whether the key is known to be gone
     * @param lateCopyPossible whether a removal attempt failed, so that its request may land later
     */
    void keyRemoved(
            String name,
            ByteSequence directory,
            int slot,
            ByteSequence key,
            EtcdLease lease,
            EtcdLease uncertainLease,
            boolean removed,
            boolean lateCopyPossible) {
        if (!removed && !lease.session) {
            // an own lease whose revoke failed: its key lives until the lease ends, and the name
            // stays out of use for the engine's life (a re-acquire would take that key for its own)
            return;
        }
        EtcdLease latePutOn = uncertainLease != null ? uncertainLease : removed ? null : lease;
        boolean lateDelete = lease.session && lateCopyPossible; // a late revoke of an own lease is harmless
        strayKeys.keep(name, directory, slot, key, latePutOn, lateDelete);
    }

    int strayKeysKept() {
        return strayKeys.size();
    }

    /**
     * Deletes a key only if it is the incarnation created at {@code createRevision}: a retry, which
     * may overtake the failed attempt before it, and the sweep of stray keys use this. A first
     * attempt is a plain delete (see {@link #removeEventually}).
     */
    CompletableFuture<Void> deleteIfCreatedAt(ByteSequence key, long createRevision) {
        return bounded(kv.txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(createRevision)))
                        .Then(Op.delete(key, DeleteOption.DEFAULT))
                        .commit())
                .thenApply(done -> (Void) null);
    }

    /**
     * The first attempt is a plain delete: jetcd never sends a delete again by itself once it may
     * have reached the server (its {@code DeleteOption} auto-retry is off; it only re-sends requests
     * the server refused for an expired auth token), so an answered first attempt leaves no copy in
     * flight, and the name can be reused. After a failed attempt the name is not reused (see {@link
     * #keyRemoved}), and retries are guarded by the create revision when it is known.
     */
    private CompletableFuture<Boolean> removeEventually(
            String name, EtcdLease lease, ByteSequence key, long createRevision, int attempts) {
        AtomicBoolean failedBefore = new AtomicBoolean();
        Supplier<CompletableFuture<Void>> once = () -> {
            if (!lease.session) {
                return bounded(leases.revoke(lease.id)).handle((revoked, failure) -> {
                    if (failure != null && !EtcdErrors.leaseNotFound(failure)) {
                        throw new java.util.concurrent.CompletionException(EtcdErrors.unwrap(failure));
                    }
                    lease.markDead();
                    return null;
                });
            }
            if (failedBefore.get() && createRevision > 0) {
                return deleteIfCreatedAt(key, createRevision);
            }
            EtcdDirectKv direct = directKv();
            return bounded(direct != null ? direct.delete(key) : kv.delete(key)).thenApply(deleted -> (Void) null);
        };
        CompletableFuture<Void> done = new CompletableFuture<>();
        attemptRemoval(name, once, attempts, TimeUnit.MILLISECONDS.toNanos(100), failedBefore, done);
        return done.thenApply(ignored -> failedBefore.get());
    }

    /**
     * One removal attempt; a transient failure (no leader, connection lost, deadline) is retried with
     * a growing delay. The future completes with the first success or the last failure; the caller
     * may stop waiting earlier, the retries go on.
     */
    private void attemptRemoval(
            String name,
            Supplier<CompletableFuture<Void>> once,
            int attempts,
            long delayNanos,
            AtomicBoolean failedBefore,
            CompletableFuture<Void> done) {
        CompletableFuture<Void> attempt;
        try {
            attempt = once.get();
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        attempt.whenComplete((ignored, failure) -> {
            if (failure == null) {
                done.complete(null);
                return;
            }
            failedBefore.set(true);
            boolean canRetry = attempts > 1
                    && EtcdErrors.transientFailure(failure)
                    && !abandoned
                    && scheduler != null
                    && !scheduler.isShutdown();
            if (canRetry) {
                schedule(
                        () -> attemptRemoval(
                                name,
                                once,
                                attempts - 1,
                                Math.min(delayNanos * 2, TimeUnit.SECONDS.toNanos(5)),
                                failedBefore,
                                done),
                        delayNanos);
            } else {
                if (EtcdErrors.transientFailure(failure)) {
                    LOG.log(
                            Level.WARNING,
                            () -> "etcd engine at " + endpoint + ": gave up removing a key of lock '" + name
                                    + "'; it goes when its lease ends: " + EtcdErrors.describe(failure));
                }
                done.completeExceptionally(failure);
            }
        });
    }

    // ----------------------------------------------------------------------------- helpers

    String namespace() {
        return config.namespace();
    }

    /** How long an acquisition rides out failures in a row before it fails: two request timeouts. */
    long giveUpAfterNanos() {
        return config.requestTimeout().toNanos() * 2;
    }

    /** The manager's monotonic clock, in nanoseconds. */
    long now() {
        return ticker.read();
    }

    long engineId() {
        return engineId;
    }

    /** The lowest key slot of the directory not in use; held until {@link #freeSlot}. */
    int takeSlot(ByteSequence directory) {
        int[] slot = new int[1];
        busySlots.compute(directory, (dir, inUse) -> {
            Set<Integer> slots = inUse == null ? new HashSet<>() : inUse;
            int free = 0;
            while (slots.contains(free)) {
                free++;
            }
            slots.add(free);
            slot[0] = free;
            return slots;
        });
        return slot[0];
    }

    /** Frees a slot once its key is known to be gone from the server. */
    void freeSlot(ByteSequence directory, int slot) {
        busySlots.computeIfPresent(directory, (dir, slots) -> {
            slots.remove(slot);
            return slots.isEmpty() ? null : slots;
        });
    }

    /**
     * The engine's shared watch of a lock's directory, opened by the first waiter that needs it;
     * null once the engine is closed.
     */
    EtcdDirectoryWatch directoryWatch(ByteSequence directory) {
        while (true) {
            if (closed.get() || abandoned) {
                return null;
            }
            EtcdDirectoryWatch existing = directoryWatches.get(directory);
            if (existing != null) {
                if (!existing.isClosed()) {
                    return existing;
                }
                directoryWatches.remove(directory, existing);
                continue;
            }
            EtcdDirectoryWatch fresh = new EtcdDirectoryWatch(this, directory);
            if (directoryWatches.putIfAbsent(directory, fresh) == null) {
                fresh.open();
                return fresh;
            }
        }
    }

    /** The shared watch of a directory, if one is open (for tests). */
    Optional<EtcdDirectoryWatch> openDirectoryWatch(ByteSequence directory) {
        return Optional.ofNullable(directoryWatches.get(directory));
    }

    /** A shared watch retired (no waiter for a while) or broke. */
    void forget(EtcdDirectoryWatch watch) {
        directoryWatches.remove(watch.directory, watch);
    }

    private void closeDirectoryWatches() {
        for (EtcdDirectoryWatch watch : List.copyOf(directoryWatches.values())) {
            watch.close();
            forget(watch);
        }
    }

    KV kv() {
        return kv;
    }

    /** Requests sent on the direct path so far (0 without one): for tests. */
    long directRequestsSent() {
        return directKv == null ? 0 : directKv.requestsSent();
    }

    /** The direct path for the hot requests, once it is ready; otherwise null (use {@link #kv()}). */
    EtcdDirectKv directKv() {
        EtcdDirectKv direct = directKv;
        return direct != null && direct.ready() ? direct : null;
    }

    Watch watchClient() {
        return watch;
    }

    void schedule(Runnable step, long delayNanos) {
        ScheduledExecutorService timers = scheduler;
        if (timers == null || timers.isShutdown()) {
            return;
        }
        try {
            timers.schedule(step, delayNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the manager is shutting down
        }
    }

    /**
     * Bounds a jetcd call by the request timeout plus a margin, for clients the application
     * supplied; the engine's own client already puts a gRPC deadline on each call (which also
     * cancels it on the server), so its calls are returned as they are.
     */
    <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
        ScheduledExecutorService timers = scheduler;
        if (ownsClient || call.isDone() || timers == null || timers.isShutdown()) {
            return call; // the engine's own client puts a gRPC deadline on every call
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        long bound = config.requestTimeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
        ScheduledFuture<?> timer;
        try {
            timer = timers.schedule(
                    () -> out.completeExceptionally(Status.DEADLINE_EXCEEDED
                            .withDescription("no answer within the request timeout of "
                                    + Durations.format(config.requestTimeout()))
                            .asRuntimeException()),
                    bound,
                    TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return call;
        }
        call.whenComplete((value, failure) -> {
            timer.cancel(false);
            if (failure != null) {
                out.completeExceptionally(EtcdErrors.unwrap(failure));
            } else {
                out.complete(value);
            }
        });
        return out;
    }

    /** A failure as the exception the manager passes on: engine, endpoint, lock and reason. */
    LockBackendException failure(String operation, String name, Throwable failure) {
        Throwable cause = EtcdErrors.unwrap(failure);
        if (cause instanceof LockBackendException) {
            return (LockBackendException) cause;
        }
        String reason = EtcdErrors.describe(cause);
        if (EtcdErrors.transientFailure(cause)) {
            // no answer: say why, when the channel knows
            reason += connectionProblem()
                    .map(problem -> "; " + problem.getMessage())
                    .orElse("");
        }
        return errors.failed(operation, EngineErrors.lock(name), reason, cause);
    }
}
