/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Capability;
import dev.globallock.Durations;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.Abandonable;
import dev.globallock.spi.support.CallerRunsFuture;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code zookeeper} engine on Apache Curator: fair (FIFO) locks as ephemeral-sequential nodes,
 * bound to the client's session, with the lock node's czxid as fencing token. This class only
 * adapts the SPI to the engine's parts: the client ({@link ZooKeeperConnector}, {@link
 * Connection}), the lock protocol ({@link Acquisition} over {@link LockNodeDriver}), the held locks
 * ({@link HeldLocks}, {@link HeldLockChecks}, {@link LockRelease}), the connection states ({@link
 * ConnectionStates}), unanswered creates ({@link OrphanSweep}) and the session's confirmations
 * ({@link SessionConfirmations}).
 *
 * <h2>Round trips</h2>
 *
 * Uncontended acquire: one create pipelined with one listing (one round trip of latency; the
 * parent is created only when the create answers NoNode); when the caller blocks on it (its
 * future's first task runs inside its {@code get}) the listing is a blocking call on the caller's
 * thread, which ZooKeeper's I/O thread answers by waking the caller directly; no listing at all
 * when this engine deleted the lock's previous node itself and nothing else was written since (see
 * {@link Acquisition}). Release: one delete, a blocking call on the caller when it waits for it
 * (falling back to Curator's guaranteed background delete when that fails). Handoff: the holder's
 * delete, the watch event, and nothing more when the waiter was next in line (one listing when it
 * was further back). Watchdog renewal of any number of locks: one {@code multiRead} of their nodes
 * (a local read on the server, no write), which is how a node deleted behind the holder's back is
 * noticed; a holder that waited right behind the previous holder also watches its own node and
 * learns of its deletion at once.
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
 * <p>Thread-safe; no method blocks (except {@link #open} while connecting, and {@link #abandon()}):
 * the blocking calls of a waiting caller run inside its future's {@code get}, bounded by the {@code
 * get}'s timeout ({@link CallerRunsFuture}, {@link Callbacks#CALLER_RUNS}). Futures are delivered
 * from ZooKeeper's event thread to the caller blocked on them, which completes them itself, or else
 * completed on the callback pool, so every stage chained on them runs on the caller or the pool;
 * lease listener calls run on that pool too, one at a time and in order. No application code runs
 * on the event thread.
 */
public final class ZooKeeperLockEngine implements LockEngine, Abandonable {
    private static final System.Logger LOG = System.getLogger(ZooKeeperLockEngine.class.getName());

    /** What every zookeeper engine supports; an opened one adds the session timeout it was granted. */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
            Capability.SESSION_BOUND,
            Capability.FIFO,
            Capability.FENCING_TOKENS,
            Capability.WAIT_NOTIFICATION,
            Capability.SEMAPHORE,
            Capability.READ_WRITE_LOCK);

    private final ZooKeeperEngineConfig config;
    private final Connection connection;
    private final LockPaths.Cache paths = new LockPaths.Cache();
    private final HeldLocks held = new HeldLocks();
    private final LockNodeDriver driver;
    private final ActiveAcquisitions active;
    private final SessionConfirmations sessions;
    private final HeldLockChecks checks;
    private final LockRelease releases;
    private final ConnectionStates states;
    private final AtomicBoolean warnedAboutLease = new AtomicBoolean();

    /** The capabilities, with the session timeout the server granted when the engine connected. */
    private final EngineCapabilities capabilities;

    private ZooKeeperLockEngine(ZooKeeperEngineConfig config, Connection connection) {
        this.config = config;
        this.connection = connection;
        OrphanSweep orphans = new OrphanSweep(connection);
        this.driver = LockNodeDriver.of(connection, orphans);
        // a grant delivered after its acquisition was cancelled is given back
        this.active =
                new ActiveAcquisitions(held, connection.errors(), grant -> CallerRunsFuture.dispatch(release(grant)));
        this.sessions = new SessionConfirmations(connection, () -> !active.isEmpty());
        this.checks = new HeldLockChecks(connection, held, sessions);
        this.releases = new LockRelease(connection, driver, held);
        this.states = new ConnectionStates(connection, held, checks, orphans, active);
        long negotiated = connection.negotiatedSessionTimeoutMillis();
        this.capabilities = CAPABILITIES.withSessionTimeout(
                negotiated > 0 ? Duration.ofMillis(negotiated) : config.sessionTimeout());
    }

    /**
     * Opens the engine: with a connect string, creates and starts a Curator client and waits up to
     * the connection timeout for the first connection; with a given client, uses it as it is.
     *
     * @throws LockBackendException when the ensemble cannot be reached within the connection timeout
     */
    public static ZooKeeperLockEngine open(ZooKeeperEngineConfig config) {
        Objects.requireNonNull(config, "config");
        Connection connection = ZooKeeperConnector.connect(config);
        ZooKeeperLockEngine engine = new ZooKeeperLockEngine(config, connection);
        connection.attach(engine.states);
        return engine;
    }

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
     * acquisitions wait (see {@link SessionConfirmations#probeIfStale()}).
     */
    @Override
    public void start(EngineContext context) {
        sessions.start(
                context.ticker(),
                context.scheduler(),
                capabilities.sessionTimeout().orElseThrow());
    }

    @Override
    public String describeEndpoint() {
        return connection.endpoint();
    }

    /** The engine's configuration. */
    public ZooKeeperEngineConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        Objects.requireNonNull(request, "request");
        if (!connection.usable()) {
            return CompletableFuture.failedFuture(connection.unusable("acquire", "lock '" + request.name() + "'"));
        }
        warnIfLeaseShorterThanSession(request);
        LockPaths.Lock lock = request.mode() == AcquireMode.EXCLUSIVE ? paths.of(request.key()) : sharedPaths(request);
        Acquisition acquisition = new Acquisition(active, connection, driver, sessions, request, lock);
        active.add(acquisition);
        return acquisition.future; // its first round runs inside the caller's get, or when dispatched
    }

    /** A read-write lock's or a semaphore's paths: their own parent, apart from the lock's. */
    private static LockPaths.Lock sharedPaths(AcquireRequest request) {
        return switch (request.mode()) {
            case READ -> LockPaths.readWrite(request.key(), true);
            case WRITE -> LockPaths.readWrite(request.key(), false);
            default -> LockPaths.semaphore(request.key(), request.permits());
        };
    }

    /**
     * The session, not the watchdog lease, decides when a dead holder's lock frees: say so once
     * when the watchdog lease is the shorter, since the application then expects a shorter bound.
     */
    private void warnIfLeaseShorterThanSession(AcquireRequest request) {
        if (!request.watchdog() || warnedAboutLease.get()) {
            return;
        }
        long sessionMillis = connection.negotiatedSessionTimeoutMillis();
        if (sessionMillis > 0
                && request.leaseTime().toMillis() < sessionMillis
                && warnedAboutLease.compareAndSet(false, true)) {
            LOG.log(
                    Level.WARNING,
                    () -> "watchdog lease " + Durations.format(request.leaseTime()) + " is shorter than the ZooKeeper"
                            + " session timeout of " + sessionMillis + "ms at " + connection.endpoint()
                            + ": a holder that dies keeps its locks until the server expires its session; lower"
                            + " session-timeout or raise watchdog.lease");
        }
    }

    /** See {@link LockRelease}: a blocking delete on a caller that waits, else a background one. */
    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        return releases.release((ZooKeeperGrant) grant);
    }

    /** See {@link HeldLockChecks#renew}: one {@code multiRead} of the held nodes. */
    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        return checks.renew(grants);
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(new ZooKeeperInspector(connection.client(), connection.endpoint()));
    }

    /**
     * Whether the client is disconnected from the ensemble right now (Curator's state, no I/O): a
     * wait that ends then was not ended by a busy lock.
     */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        return states.problem();
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
        if (!connection.markAbandoned()) {
            return;
        }
        active.abortAll("the engine was abandoned");
        held.clear();
        if (!connection.ownsClient()) {
            close();
            return;
        }
        try {
            connection.dropLikeACrash();
        } finally {
            closeClient();
        }
    }

    @Override
    public void close() {
        if (!connection.markClosed()) {
            return;
        }
        active.abortAll("the engine was closed");
        held.clear();
        closeClient();
    }

    private void closeClient() {
        sessions.stop();
        connection.close(states);
    }

    @Override
    public String toString() {
        return "ZooKeeperLockEngine{" + connection.endpoint() + ", held=" + held.size() + ", acquiring=" + active.size()
                + (connection.closed() ? ", closed" : "") + "}";
    }
}
