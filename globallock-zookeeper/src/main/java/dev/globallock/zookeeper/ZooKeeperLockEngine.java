package dev.globallock.zookeeper;

import dev.globallock.Capability;
import dev.globallock.Durations;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.LockLostException;
import dev.globallock.Ticker;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.CallerRunsPolicy;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.Redaction;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The {@code zookeeper} engine on Apache Curator: fair (FIFO) locks as ephemeral-sequential nodes,
 * bound to the client's session, with the lock node's czxid as fencing token. See {@link
 * Acquisition} for the protocol.
 *
 * <h2>Round trips</h2>
 *
 * Uncontended acquire: one create pipelined with one listing (one round trip of latency; the
 * parent is created only when the create answers NoNode); when the caller blocks on it (its
 * future's first task runs inside its {@code get}) the listing is a blocking call on the caller's thread, which
 * ZooKeeper's I/O thread answers by waking the caller directly; no listing at all when this engine
 * deleted the lock's previous node itself and nothing else was written since (see {@link
 * Acquisition}). Release: one delete, a blocking
 * call on the caller when it waits for it (falling back to Curator's guaranteed background delete
 * when that fails). Handoff: the
 * holder's delete, the watch event, and nothing more when the waiter was next in line (one listing
 * when it was further back). Watchdog renewal of any number of locks: one {@code multiRead} of
 * their nodes (a local read on the server, no write), which is how a node deleted behind the
 * holder's back is noticed; a holder that waited right behind the previous holder also watches its
 * own node and learns of its deletion at once.
 *
 * <h2>Leases</h2>
 *
 * The session is the lease: a process that dies frees its locks when the server expires its
 * session. Explicit lease times are not offered ({@link Capability#LEASE_TIME} is missing, so the
 * manager rejects them): TTL nodes are only reaped by the server's container sweep on a coarse
 * interval (a minute by default), and only when enabled with {@code extendedTypesEnabled}, so they
 * bound nothing; a client-side timer that deletes the node cannot free the lock of a holder that
 * is frozen or partitioned, which is exactly when the bound matters.
 *
 * <h2>Connection states</h2>
 *
 * SUSPENDED: every held lease is reported {@code ownershipUncertain()}. RECONNECTED: each held
 * node is read back; found and owned by the session, {@code ownershipConfirmed()}; otherwise lost.
 * LOST (session expired, or Curator's simulated expiry after a whole session timeout suspended):
 * every held lease is reported lost and every waiter starts over with a new node.
 *
 * <p>Thread-safe; no method blocks (except {@link #open} while connecting, and {@link #abandon()}):
 * the blocking calls of a waiting caller run inside its future's {@code get}, bounded by the
 * {@code get}'s timeout ({@link CallerRunsFuture}, {@link #CALLER_RUNS}). Futures are delivered from
 * ZooKeeper's event thread to the caller blocked on them, which completes them itself, or else
 * completed on the callback pool, so every stage chained on them runs on the caller or the pool;
 * lease listener calls run on that pool too, one at a time and in order. No application code runs
 * on the event thread.
 */
public final class ZooKeeperLockEngine implements LockEngine, Abandonable {
    private static final System.Logger LOG = System.getLogger(ZooKeeperLockEngine.class.getName());

    static final byte[] NO_DATA = new byte[0];

    private static final int MAX_REMEMBERED_RELEASES = 1024;

    /** How long asking the servers why a connection failed may take. */
    private static final Duration DIAGNOSIS_BUDGET = Duration.ofSeconds(1);
    /** How long closing a client that never connected may block before it is interrupted. */
    private static final Duration CLOSE_BOUND_AFTER_FAILURE = Duration.ofMillis(500);

    /** Lock keys whose paths are kept, so that a re-acquire does not escape its key again. */
    private static final int MAX_CACHED_PATHS = 1024;

    /** What every zookeeper engine supports; an opened one adds the session timeout it was granted. */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
            Capability.SESSION_BOUND, Capability.FIFO, Capability.FENCING_TOKENS, Capability.WAIT_NOTIFICATION);

    /**
     * How the engine's futures run: a caller that blocks runs the first step itself, and its
     * blocking ZooKeeper calls are interrupted at its deadline (they end no other way); a step
     * nobody waits for only starts asynchronous calls, on the dispatching thread; what the event
     * thread delivers is completed on the waiting caller or the callback pool.
     */
    static final CallerRunsPolicy CALLER_RUNS = CallerRunsPolicy.of(CallerRunsPolicy.callingThread())
            .interruptAtDeadline()
            .deliverOn(Callbacks.POOL);

    /** Probes per session timeout while waiting: see {@link #probeSessionIfStale()}. */
    private static final int PROBES_PER_SESSION_TIMEOUT = 6;

    private final ZooKeeperEngineConfig config;
    private final CuratorFramework root;
    private final boolean ownsClient;
    private final CuratorFramework client;
    private final String endpoint;
    private final EngineErrors errors;
    /** Gives back a grant that was delivered after its acquisition was cancelled. */
    private final Consumer<LockGrant> releaseUnwanted = grant -> CallerRunsFuture.dispatch(release(grant));

    private final ConnectionStateListener stateListener = (c, state) -> stateChanged(state);
    private final LockNodeReader reader;
    private final ConcurrentHashMap<String, ZooKeeperGrant> held = new ConcurrentHashMap<>();
    private final Set<Acquisition> active = ConcurrentHashMap.newKeySet();
    /** Parent path → czxid of the last node of that lock this engine deleted (see Acquisition). */
    private final ConcurrentHashMap<String, Long> lastReleased = new ConcurrentHashMap<>();
    /** Lock key → its paths; bounded by {@value #MAX_CACHED_PATHS}, after which paths are made per call. */
    private final ConcurrentHashMap<String, LockPaths.Lock> paths = new ConcurrentHashMap<>();
    /** What the client's namespace puts in front of a namespace-relative path: "" or "/ns". */
    private final String namespacePrefix;
    /**
     * The ACL of lock nodes when this engine made the client (so it knows the client's ACL
     * provider), else null: then every create goes through Curator.
     */
    private final List<ACL> ownAcl;
    /** Protected ids of this engine's own creates: a random half fixed per engine, a counter. */
    private final long protectionHigh = new SecureRandom().nextLong();

    private final AtomicLong protectionCounter = new AtomicLong(new SecureRandom().nextLong());
    /**
     * Protected names of creates whose answer never came (interrupted, connection lost): found and
     * deleted by listing the parent, again after a reconnect while the listing fails; forgotten
     * when the session ends, which deletes them anyway.
     */
    private final Set<Orphan> orphans = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean warnedAboutLease = new AtomicBoolean();
    private volatile boolean abandoned;
    /** Lease listener calls, in the order the engine learnt things. */
    private final Executor listenerCalls = Callbacks.serial();

    private volatile CountDownLatch lostLatch;
    /** Curator's last reported connection state, for messages. */
    private volatile ConnectionState lastState;

    /** The capabilities, with the session timeout the server granted (known once connected). */
    private volatile EngineCapabilities capabilities = CAPABILITIES;

    private volatile Ticker ticker = Ticker.system();
    private volatile ScheduledFuture<?> probeTask;
    /** The last time the server answered a request of this engine on a session (its send time). */
    private final AtomicReference<SessionConfirmed> sessionConfirmed = new AtomicReference<>();

    private final AtomicBoolean probing = new AtomicBoolean();

    private ZooKeeperLockEngine(
            ZooKeeperEngineConfig config,
            CuratorFramework root,
            CuratorFramework client,
            boolean ownsClient,
            String endpoint) {
        this.config = config;
        this.root = root;
        this.client = client;
        this.ownsClient = ownsClient;
        this.endpoint = endpoint;
        this.errors = errors(endpoint);
        this.reader = new LockNodeReader(endpoint, client.getNamespace());
        String namespace = client.getNamespace();
        this.namespacePrefix = namespace == null || namespace.isEmpty() ? "" : ZKPaths.makePath(namespace, null);
        this.ownAcl = !ownsClient
                ? null
                : config.acl() == ZooKeeperEngineConfig.Acl.OPEN
                        ? ZooDefs.Ids.OPEN_ACL_UNSAFE
                        : ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    private static EngineErrors errors(String endpoint) {
        return EngineErrors.of("zookeeper", () -> endpoint);
    }

    /**
     * Opens the engine: with a connect string, creates and starts a Curator client and waits up to
     * the connection timeout for the first connection; with a given client, uses it as it is.
     *
     * @throws LockBackendException when the ensemble cannot be reached within the connection timeout
     */
    public static ZooKeeperLockEngine open(ZooKeeperEngineConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.client().isPresent()) {
            CuratorFramework given = config.client().get();
            if (given.getState() != CuratorFrameworkState.STARTED) {
                throw new IllegalStateException("the CuratorFramework given to the zookeeper engine must be started"
                        + " (it is " + given.getState() + ")");
            }
            String endpoint =
                    "zookeeper://" + describe(given.getZookeeperClient().getCurrentConnectionString())
                            + namespacePath(given.getNamespace(), config.namespace());
            CuratorFramework namespaced = given.usingNamespace(
                    namespacePath(given.getNamespace(), config.namespace()).substring(1));
            ZooKeeperLockEngine engine = new ZooKeeperLockEngine(config, given, namespaced, false, endpoint);
            engine.attach();
            return engine;
        }
        String connect = config.connectString().orElseThrow();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(
                        (int) config.retryBaseSleep().toMillis(), config.retryMaxRetries(), (int)
                                config.retryMaxSleep().toMillis()))
                .namespace(config.namespace())
                .defaultData(NO_DATA)
                .zkClientConfig(config.zkClientConfig())
                .aclProvider(aclProvider(config.acl()));
        if (config.digestUsername().isPresent()) {
            builder.authorization(
                    "digest",
                    (config.digestUsername().get() + ":"
                                    + config.digestPassword().orElseThrow().reveal())
                            .getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework opened = builder.build();
        String endpoint = "zookeeper://" + describe(connect) + namespacePath(null, config.namespace());
        ZooKeeperLockEngine engine = new ZooKeeperLockEngine(config, opened, opened, true, endpoint);
        try {
            opened.start();
            if (!opened.blockUntilConnected((int) config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                // the client only logs why each attempt failed: ask the servers once more, briefly
                String why =
                        ConnectDiagnosis.of(ConnectString.servers(connect), DIAGNOSIS_BUDGET, config.sessionTimeout());
                throw new LockBackendException(errors(endpoint)
                        .say("could not connect within the connection timeout of "
                                + Durations.format(config.connectionTimeout()) + (why.isEmpty() ? "" : ": " + why)));
            }
            engine.attach();
            return engine;
        } catch (InterruptedException e) {
            closeBounded(opened, CLOSE_BOUND_AFTER_FAILURE);
            Thread.currentThread().interrupt();
            throw new LockBackendException(errors(endpoint).say("was interrupted while connecting"), e);
        } catch (RuntimeException e) {
            closeBounded(opened, CLOSE_BOUND_AFTER_FAILURE);
            throw e;
        }
    }

    /**
     * Closes a Curator client, waiting at most about twice {@code bound}. ZooKeeper's close sends
     * closeSession and waits for its answer, which on a connection that never came up (a server
     * that accepts and never answers) takes until the client's own read timeout, two thirds of the
     * session timeout. Past the bound the closing thread is interrupted, which ends that wait and
     * makes ZooKeeper stop its threads at once (no session was set up, so none is left behind).
     */
    static void closeBounded(CuratorFramework curator, Duration bound) {
        Thread closer = new Thread(
                () -> {
                    try {
                        curator.close();
                    } catch (RuntimeException e) {
                        LOG.log(Level.DEBUG, "closing the Curator client failed: " + e);
                    }
                },
                "globallock-zookeeper-close");
        closer.setDaemon(true);
        closer.start();
        boolean interrupted = false;
        try {
            closer.join(bound.toMillis());
            if (closer.isAlive()) {
                closer.interrupt();
                closer.join(bound.toMillis());
            }
        } catch (InterruptedException e) {
            interrupted = true;
            closer.interrupt();
        }
        if (closer.isAlive()) {
            LOG.log(
                    Level.DEBUG,
                    "closing the Curator client takes longer than " + Durations.format(bound.multipliedBy(2))
                            + "; it goes on in the background");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void attach() {
        long negotiated = root.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
        capabilities = CAPABILITIES.withSessionTimeout(
                negotiated > 0 ? java.time.Duration.ofMillis(negotiated) : config.sessionTimeout());
        root.getConnectionStateListenable().addListener(stateListener);
        try {
            // Curator creates the namespace node with a blocking call on the first operation of a
            // namespaced client: do it here, where blocking is expected, not in the first acquire
            client.checkExists().forPath("/");
        } catch (Exception e) {
            root.getConnectionStateListenable().removeListener(stateListener);
            if (ownsClient) {
                closeBounded(root, CLOSE_BOUND_AFTER_FAILURE);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new LockBackendException(errors.say("could not create its namespace node: " + e), e);
        }
    }

    private static ACLProvider aclProvider(ZooKeeperEngineConfig.Acl acl) {
        if (acl == ZooKeeperEngineConfig.Acl.OPEN) {
            return new DefaultACLProvider();
        }
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }
        };
    }

    /** The connect string without anything that could be a credential (ZooKeeper has none inline). */
    private static String describe(String connectString) {
        return connectString == null ? "<unknown>" : Redaction.userInfo(connectString);
    }

    private static String namespacePath(String clientNamespace, String namespace) {
        return ZKPaths.makePath(clientNamespace == null ? "" : clientNamespace, namespace);
    }

    // ------------------------------------------------------------------------------- LockEngine

    @Override
    public String name() {
        return "zookeeper";
    }

    /**
     * Constant for the engine's life, with the session timeout the server granted when the engine
     * connected: the manager's watchdog lease follows it (see {@link
     * EngineCapabilities#sessionTimeout()}).
     */
    @Override
    public EngineCapabilities capabilities() {
        return capabilities;
    }

    /**
     * Takes the manager's ticker and, every sixth of the session timeout, probes the session while
     * acquisitions wait (see {@link #probeSessionIfStale()}).
     */
    @Override
    public void start(EngineContext context) {
        this.ticker = context.ticker();
        long period = capabilities.sessionTimeout().orElseThrow().toNanos() / PROBES_PER_SESSION_TIMEOUT;
        this.probeTask = context.scheduler()
                .scheduleAtFixedRate(this::probeSessionIfStale, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public String describeEndpoint() {
        return endpoint;
    }

    /** The engine's configuration. */
    public ZooKeeperEngineConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        Objects.requireNonNull(request, "request");
        if (closed.get() || abandoned) {
            return CompletableFuture.failedFuture(unusable("acquire", "lock '" + request.name() + "'"));
        }
        warnIfLeaseShorterThanSession(request);
        Acquisition acquisition = new Acquisition(this, client, request);
        active.add(acquisition);
        return acquisition.future; // its first round runs inside the caller's get, or when dispatched
    }

    /**
     * The session, not the watchdog lease, decides when a dead holder's lock frees: say so once
     * when the watchdog lease is the shorter, since the application then expects a shorter bound.
     */
    private void warnIfLeaseShorterThanSession(AcquireRequest request) {
        if (!request.watchdog() || warnedAboutLease.get()) {
            return;
        }
        long sessionMillis = root.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
        if (sessionMillis > 0
                && request.leaseTime().toMillis() < sessionMillis
                && warnedAboutLease.compareAndSet(false, true)) {
            LOG.log(
                    Level.WARNING,
                    () -> "watchdog lease " + Durations.format(request.leaseTime()) + " is shorter than the ZooKeeper"
                            + " session timeout of " + sessionMillis + "ms at " + endpoint + ": a holder that dies"
                            + " keeps its locks until the server expires its session; lower session-timeout or"
                            + " raise watchdog.lease");
        }
    }

    /**
     * For a caller that waits for it, the delete is a blocking call on the caller's thread inside
     * its {@code get} (answered by ZooKeeper's I/O thread waking the caller directly); when it fails
     * (connection loss, the deadline of {@code get(timeout)}...), and when nobody waits, Curator's
     * guaranteed background delete does it.
     */
    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        ZooKeeperGrant mine = (ZooKeeperGrant) grant;
        held.remove(mine.node, mine);
        mine.finish();
        if (closed.get() || abandoned) {
            return CompletableFuture.failedFuture(unusable("release", "lock '" + mine.request.name() + "'"));
        }
        CallerRunsFuture<Void> released = new CallerRunsFuture<>(CALLER_RUNS);
        return released.defer(onCaller -> {
            if (onCaller && connected() && deleteOnCaller(mine)) {
                released.complete(null);
            } else {
                deleteInBackground(mine, released);
            }
        });
    }

    /** A blocking delete of a released node; false when it is not known to be gone. */
    private boolean deleteOnCaller(ZooKeeperGrant grant) {
        try {
            zooKeeper().delete(namespacePrefix + grant.node, -1);
            released(grant);
            return true;
        } catch (KeeperException.NoNodeException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the deadline of get(timeout), or the caller's own
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private void deleteInBackground(ZooKeeperGrant mine, CallerRunsFuture<Void> released) {
        try {
            client.delete()
                    .guaranteed()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.OK) {
                            released(mine);
                        }
                        if (code == Code.OK || code == Code.NONODE) {
                            released.deliver(null);
                        } else {
                            released.deliverFailure(failure(
                                    "release",
                                    mine.request.name(),
                                    code + "; the delete of " + mine.node
                                            + " is retried in the background until it succeeds or the session"
                                            + " ends",
                                    null));
                        }
                    })
                    .forPath(mine.node);
        } catch (Exception e) {
            released.deliverFailure(failure("release", mine.request.name(), e.toString(), e));
        }
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        if (closed.get() || abandoned) {
            return CompletableFuture.failedFuture(unusable("renew", grants.size() + " lock(s)"));
        }
        if (!root.getZookeeperClient().isConnected()) {
            return CompletableFuture.failedFuture(new LockBackendException(
                    errors.say("is disconnected and cannot confirm " + grants.size() + " lock(s) right now")));
        }
        ZooKeeper zk;
        try {
            zk = root.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new LockBackendException(errors.say("cannot renew: " + e), e));
        }
        long session = zk.getSessionId();
        Set<LockGrant> lost = ConcurrentHashMap.newKeySet();
        List<ZooKeeperGrant> toCheck = new ArrayList<>(grants.size());
        for (LockGrant grant : grants) {
            ZooKeeperGrant mine = (ZooKeeperGrant) grant;
            if (mine.isOver() || mine.sessionId != session) {
                lost.add(mine);
            } else {
                toCheck.add(mine);
            }
        }
        CallerRunsFuture<Set<LockGrant>> result = new CallerRunsFuture<>(CALLER_RUNS);
        long sentAt = ticker.read();
        reader.missing(zk, toCheck).whenComplete((missing, failure) -> {
            if (failure != null) {
                result.deliverFailure(failure);
                return;
            }
            if (!toCheck.isEmpty()) {
                sessionConfirmed(session, sentAt); // the server answered a read on the session
            }
            for (ZooKeeperGrant gone : missing) {
                held.remove(gone.node, gone);
                gone.finish();
                lost.add(gone);
            }
            result.deliver(lost);
        });
        return result;
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(new ZooKeeperInspector(client, endpoint));
    }

    /**
     * Whether the client is disconnected from the ensemble right now (Curator's state, no I/O): a
     * wait that ends then was not ended by a busy lock.
     */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        if (closed.get() || abandoned || root.getZookeeperClient().isConnected()) {
            return Optional.empty();
        }
        ConnectionState state = lastState;
        return Optional.of(new LockBackendException("the client is not connected to the ensemble"
                + (state == null ? "" : " (Curator's connection state is " + state + ")")
                + "; it keeps trying to reconnect"));
    }

    /**
     * Drops the connection the way a crash does: the session is neither closed nor used again, so
     * the server keeps this engine's nodes until it expires the session (one session timeout), as
     * it would for a dead process. Blocks until Curator has seen the session go (at most a few
     * seconds). With a client the application gave, it only stops the engine, since that client is
     * not the engine's to break.
     */
    @Override
    public void abandon() {
        if (closed.get() || abandoned) {
            return;
        }
        abandoned = true;
        for (Acquisition acquisition : List.copyOf(active)) {
            acquisition.abort("the engine was abandoned");
        }
        held.clear();
        if (!ownsClient) {
            close();
            return;
        }
        CountDownLatch lost = new CountDownLatch(1);
        lostLatch = lost;
        try {
            ZooKeeper zk = root.getZookeeperClient().getZooKeeper();
            // Inject from ZooKeeper's own event thread: the handle must be marked closed before
            // Curator handles the injected expiry, or Curator's close of the old handle could still
            // send closeSession, which deletes the nodes at once (a clean exit, not a crash).
            zk.exists("/", false, (rc, path, ctx, stat) -> zk.getTestable().injectSessionExpiration(), null);
            if (!lost.await(5, TimeUnit.SECONDS)) {
                LOG.log(Level.DEBUG, "abandon(): Curator did not report the dropped session within 5s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "abandon() could not drop the ZooKeeper connection: " + e);
        } finally {
            closeClient();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Acquisition acquisition : List.copyOf(active)) {
            acquisition.abort("the engine was closed");
        }
        held.clear();
        closeClient();
    }

    private void closeClient() {
        closed.set(true);
        ScheduledFuture<?> probe = probeTask;
        if (probe != null) {
            probe.cancel(false);
        }
        root.getConnectionStateListenable().removeListener(stateListener);
        if (ownsClient) {
            try {
                // bounded: on a connection that is not up, ZooKeeper's close waits for its read timeout
                closeBounded(root, config.connectionTimeout());
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing the Curator client failed: " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperLockEngine{" + endpoint + ", held=" + held.size() + ", acquiring=" + active.size()
                + (closed.get() ? ", closed" : "") + "}";
    }

    // ------------------------------------------------------------------------------- connection states

    private void stateChanged(ConnectionState state) {
        lastState = state;
        if (state == ConnectionState.LOST) {
            CountDownLatch latch = lostLatch;
            if (latch != null) {
                latch.countDown();
            }
        }
        if (closed.get() || abandoned) {
            return;
        }
        switch (state) {
            case SUSPENDED:
            case READ_ONLY:
                for (ZooKeeperGrant grant : held.values()) {
                    notify(grant.request.listener()::ownershipUncertain);
                }
                break;
            case LOST:
                orphans.clear(); // ephemeral: they died with the session
                sessionLost();
                break;
            case RECONNECTED:
            case CONNECTED:
                for (Orphan orphan : List.copyOf(orphans)) {
                    sweep(orphan);
                }
                confirmHeld();
                for (Acquisition acquisition : List.copyOf(active)) {
                    acquisition.reconnected();
                }
                break;
            default:
                break;
        }
    }

    private void sessionLost() {
        for (ZooKeeperGrant grant : List.copyOf(held.values())) {
            lose(
                    grant,
                    "the ZooKeeper session of "
                            + errors.say("expired (or stayed suspended for a whole session"
                                    + " timeout), so the server releases its locks"));
        }
        for (Acquisition acquisition : List.copyOf(active)) {
            acquisition.sessionLost();
        }
    }

    private void confirmHeld() {
        List<ZooKeeperGrant> grants = new ArrayList<>(held.values());
        if (grants.isEmpty()) {
            return;
        }
        ZooKeeper zk;
        try {
            zk = root.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return; // still uncertain; the next state change decides
        }
        long session = zk.getSessionId();
        List<ZooKeeperGrant> sameSession = new ArrayList<>();
        for (ZooKeeperGrant grant : grants) {
            if (grant.sessionId != session) {
                lose(grant, "the ZooKeeper session that held lock '" + grant.request.name() + "' is gone");
            } else {
                sameSession.add(grant);
            }
        }
        reader.missing(zk, sameSession).whenComplete((missing, failure) -> {
            if (failure != null) {
                LOG.log(Level.DEBUG, () -> "could not confirm held locks after reconnecting: " + failure);
                return;
            }
            for (ZooKeeperGrant grant : sameSession) {
                if (missing.contains(grant)) {
                    lose(grant, "lock node " + grant.node + " was gone when the connection came back");
                } else if (!grant.isOver()) {
                    notify(grant.request.listener()::ownershipConfirmed);
                }
            }
        });
    }

    private void lose(ZooKeeperGrant grant, String why) {
        held.remove(grant.node, grant);
        if (grant.finish()) {
            String name = grant.request.name();
            LockLostException cause = new LockLostException(name, "lock '" + name + "' was lost: " + why);
            notify(() -> grant.request.listener().leaseLost(cause));
        }
    }

    // ------------------------------------------------------------------------------- session confirmation

    /**
     * The session's last confirmation: a request sent at {@code atNanos} (the manager's ticker) on
     * session {@code sessionId} was answered, so the server kept the session at least until one
     * session timeout after that. A lock lives as long as its session: this is what a grant's lease
     * counts from ({@link ZooKeeperGrant#leaseConfirmedAtNanos()}).
     */
    private record SessionConfirmed(long sessionId, long atNanos) {}

    /** Records that a request sent at {@code sentAtNanos} on the session was answered. */
    void sessionConfirmed(long sessionId, long sentAtNanos) {
        SessionConfirmed next = new SessionConfirmed(sessionId, sentAtNanos);
        while (true) {
            SessionConfirmed now = sessionConfirmed.get();
            if (now != null && now.sessionId == sessionId && now.atNanos - sentAtNanos >= 0) {
                return;
            }
            if (sessionConfirmed.compareAndSet(now, next)) {
                return;
            }
        }
    }

    /**
     * When the session was last confirmed, or {@code orElse} if that is later or the engine has no
     * confirmation of this session.
     */
    long sessionConfirmedAt(long sessionId, long orElse) {
        SessionConfirmed now = sessionConfirmed.get();
        return now != null && now.sessionId == sessionId && now.atNanos - orElse > 0 ? now.atNanos : orElse;
    }

    /** The manager's ticker, for the send times of requests. */
    long now() {
        return ticker.read();
    }

    /**
     * While acquisitions wait, one cheap read ({@code exists("/")}) whenever the session went a
     * sixth of its timeout without a confirmed request. A waiter granted by a watch event (no
     * request of its own) counts its lease from the session's last confirmation, which must then
     * be recent: ZooKeeper's own pings keep the session alive but tell the engine nothing. Held
     * locks are confirmed by the watchdog's renewals.
     */
    private void probeSessionIfStale() {
        if (active.isEmpty() || !connected() || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            ZooKeeper zk = zooKeeper();
            long session = zk.getSessionId();
            long now = ticker.read();
            long period = capabilities.sessionTimeout().orElseThrow().toNanos() / PROBES_PER_SESSION_TIMEOUT;
            if (now - sessionConfirmedAt(session, now - period) < period) {
                probing.set(false);
                return;
            }
            zk.exists(
                    "/",
                    false,
                    (rc, path, ctx, stat) -> {
                        if (rc == Code.OK.intValue()) {
                            sessionConfirmed(session, now);
                        }
                        probing.set(false);
                    },
                    null);
        } catch (Exception e) {
            probing.set(false);
            LOG.log(Level.DEBUG, () -> "could not probe the ZooKeeper session: " + e);
        }
    }

    // ------------------------------------------------------------------------------- for Acquisition

    /**
     * This engine deleted a node that held the lock: remember its czxid under the parent, for the
     * next acquisition of that lock by this engine ({@link #takeReleased}). Bounded: a lock
     * released while the table is full simply lists on its next acquisition.
     */
    private void released(ZooKeeperGrant grant) {
        if (lastReleased.size() < MAX_REMEMBERED_RELEASES) {
            lastReleased.put(grant.parent, grant.czxid);
        }
    }

    /**
     * The czxid of the last node of the lock this engine deleted, or null; at most one taker. Null
     * too while another acquisition of this engine is under way on the same lock: its node makes
     * the no-listing shortcut fail, and the pipelined create and listing is then one round trip
     * cheaper than a create followed by a listing.
     */
    Long takeReleased(String parent, Acquisition taker) {
        Long released = lastReleased.isEmpty() ? null : lastReleased.remove(parent);
        if (released == null) {
            return null;
        }
        for (Acquisition other : active) {
            if (other != taker && other.parent().equals(parent)) {
                return null;
            }
        }
        return released;
    }

    /** Whether the client is connected now: only then is a blocking call on a caller worth it. */
    boolean connected() {
        return !closed.get() && !abandoned && root.getZookeeperClient().isConnected();
    }

    /** The client's current ZooKeeper handle, for blocking calls on a waiting caller's thread. */
    ZooKeeper zooKeeper() throws Exception {
        return root.getZookeeperClient().getZooKeeper();
    }

    /** A lock node path or a lock's parent, relative to the namespace, as the ZooKeeper handle sees it. */
    String fullPath(String path) {
        return namespacePrefix + path;
    }

    /**
     * Whether lock nodes may be created with the raw ZooKeeper handle ({@link #createOnCaller}):
     * only on a client this engine made, whose ACLs it knows.
     */
    boolean createsOnCaller() {
        return ownAcl != null;
    }

    /**
     * A protected lock node name under {@code parent}, as Curator's protected create makes them:
     * {@code <parent>/_c_<id>-lock-}, the id unique to this create.
     */
    String protectedNodePrefix(String parent) {
        return parent + "/_c_" + new UUID(protectionHigh, protectionCounter.incrementAndGet()) + "-"
                + LockPaths.LOCK_NAME;
    }

    /**
     * A blocking create of a protected ephemeral-sequential node on the raw ZooKeeper handle (the
     * caller's thread, answered by the I/O thread): the node's namespace-relative path. When it
     * throws without a definite answer ({@link #outcomeUnknown}), the caller must {@link
     * #sweepLater} the name.
     */
    String createOnCaller(String protectedPrefix, Stat stat) throws Exception {
        String created = zooKeeper()
                .create(
                        namespacePrefix + protectedPrefix,
                        NO_DATA,
                        ownAcl,
                        org.apache.zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
                        stat);
        return created.substring(namespacePrefix.length());
    }

    /** Whether a failed create may have created its node all the same. */
    static boolean outcomeUnknown(Exception failure) {
        if (failure instanceof InterruptedException) {
            return true;
        }
        if (failure instanceof KeeperException keeper) {
            Code code = keeper.code();
            return code == Code.CONNECTIONLOSS
                    || code == Code.OPERATIONTIMEOUT
                    || code == Code.SESSIONMOVED
                    || code == Code.REQUESTTIMEOUT;
        }
        return false;
    }

    /** A create under {@code parent} named {@code protectedName...} may have made a node: delete it. */
    void sweepLater(String parent, String protectedPrefix) {
        Orphan orphan = new Orphan(parent, LockPaths.nameOf(protectedPrefix));
        orphans.add(orphan);
        sweep(orphan);
    }

    private void sweep(Orphan orphan) {
        if (closed.get() || abandoned) {
            return;
        }
        try {
            // after the create on the same session, so the listing shows its node if it was made
            client.getChildren()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.NONODE) {
                            orphans.remove(orphan); // no parent, no node
                        } else if (code == Code.OK) {
                            for (String child : event.getChildren()) {
                                if (child.startsWith(orphan.name)) {
                                    deleteQuietly(orphan.parent + "/" + child);
                                }
                            }
                            orphans.remove(orphan);
                        } // else: swept again when the connection is back
                    })
                    .forPath(orphan.parent);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not list " + orphan.parent + " for an unanswered create: " + e);
        }
    }

    /** A create whose answer never came: its parent and the name its node starts with. */
    private record Orphan(String parent, String name) {}

    /** The paths of a lock key, escaped once per key while the cache has room. */
    LockPaths.Lock pathsOf(String key) {
        LockPaths.Lock known = paths.get(key);
        if (known != null) {
            return known;
        }
        LockPaths.Lock made = LockPaths.of(key);
        if (paths.size() < MAX_CACHED_PATHS) {
            paths.putIfAbsent(key, made);
        }
        return made;
    }

    /** A lock node was deleted (seen by the watch on it): if a lease still held it, that lease is lost. */
    void nodeDeleted(String node) {
        ZooKeeperGrant grant = held.get(node);
        if (grant != null) {
            lose(grant, "its node " + node + " was deleted by someone else");
        }
    }

    void granted(Acquisition acquisition, ZooKeeperGrant grant) {
        active.remove(acquisition);
        held.put(grant.node, grant);
        acquisition.future.deliver(grant, releaseUnwanted); // cancelled at the same instant: give it back
    }

    void notAcquired(Acquisition acquisition) {
        active.remove(acquisition);
        acquisition.future.deliver(null);
    }

    void forget(Acquisition acquisition) {
        active.remove(acquisition);
    }

    void failed(Acquisition acquisition, String operation, String why, Code code) {
        active.remove(acquisition);
        String detail = code == null
                ? why
                : why + ": " + code
                        + (code == Code.CONNECTIONLOSS || code == Code.SESSIONEXPIRED
                                ? " (no usable connection to the ensemble)"
                                : "");
        acquisition.future.deliverFailure(failure(operation, acquisition.request.name(), detail, null));
    }

    /** Deletes a node with Curator's guaranteed delete; a missing node is fine. */
    void deleteQuietly(String node) {
        if (abandoned) {
            return;
        }
        try {
            client.delete().guaranteed().inBackground().forPath(node);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not delete " + node + ": " + e);
        }
    }

    /** Deletes a node (guaranteed), then runs {@code then} whatever the outcome. */
    void deleteThen(String node, Runnable then) {
        try {
            client.delete().guaranteed().inBackground((c, event) -> then.run()).forPath(node);
        } catch (Exception e) {
            then.run();
        }
    }

    /** Removes a watch from the client and the server; a watch already spent is fine. */
    void removeWatch(Watcher watcher, String path) {
        if (closed.get() || abandoned) {
            return;
        }
        try {
            client.watchers().remove(watcher).quietly().inBackground().forPath(path);
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not remove the watch on " + path + ": " + e);
        }
    }

    private void notify(Runnable listenerCall) {
        listenerCalls.execute(listenerCall);
    }

    private LockBackendException failure(String operation, String name, String why, Throwable cause) {
        return errors.failed(operation, EngineErrors.lock(name), why, cause);
    }

    private LockBackendException unusable(String operation, String what) {
        return errors.unusable(abandoned ? "is abandoned" : "is closed", operation + " " + what);
    }
}
