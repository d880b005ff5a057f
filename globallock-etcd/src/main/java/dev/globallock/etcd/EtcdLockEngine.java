/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.Capability;
import dev.globallock.EngineCapabilities;
import dev.globallock.LockBackendException;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.Abandonable;
import io.etcd.jetcd.ByteSequence;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
 * <p>This class adapts the protocol to {@link LockEngine}; the protocol lives in its parts ({@link
 * EtcdParts}): {@link EtcdAcquisition} and {@link EtcdQueueWait} (the recipe), {@link
 * EtcdSessions} (leases and their keep-alives), {@link EtcdKeySlots}, {@link EtcdKeyRemoval} and
 * {@link EtcdStrayKeys} (key names and their removal), {@link EtcdDirectoryWatches} (the shared
 * watches), {@link EtcdRenewal}, over {@link EtcdCalls} and the client of {@link EtcdConnection}.
 *
 * <p>Thread-safe. Nothing blocks: every call returns a future and continues in jetcd's callbacks;
 * timers run on the manager's scheduler.
 */
public final class EtcdLockEngine implements LockEngine, Abandonable {
    /** etcd's minimum lease TTL with its default election timeout: 1.5 × 1 s, rounded up to whole seconds. */
    static final Duration MINIMUM_LEASE = Duration.ofSeconds(2);

    /** What every etcd engine supports. */
    static final EngineCapabilities CAPABILITIES = EngineCapabilities.of(
                    Capability.LEASE_TIME,
                    Capability.SESSION_BOUND,
                    Capability.FIFO,
                    Capability.FENCING_TOKENS,
                    Capability.WAIT_NOTIFICATION,
                    Capability.SEMAPHORE,
                    Capability.READ_WRITE_LOCK)
            .withMinimumLeaseTime(MINIMUM_LEASE);

    /** How often queued waiters' leases are checked for a due keep-alive. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Stray keys are looked for about once a second. */
    private static final int STRAY_SWEEP_EVERY_TICKS = 5;

    private final EtcdConnection connection;
    private final EtcdParts parts;
    private final EtcdRuntime runtime;
    private final Duration requestTimeout;
    private final LockInspector inspector;
    private final Set<EtcdAcquisition> inFlight = ConcurrentHashMap.newKeySet();
    private long ticks;

    private EtcdLockEngine(EtcdEngineConfig config, EtcdConnection connection) {
        this.connection = connection;
        this.parts = EtcdParts.wire(config, connection);
        this.runtime = parts.runtime();
        this.requestTimeout = config.requestTimeout();
        this.inspector = new EtcdInspector(parts.calls(), parts.failures(), parts.namespace());
    }

    /**
     * Opens the engine. Builds a jetcd client from the configuration, or uses the one it carries
     * (and then never closes it). Does no I/O: the first request connects.
     *
     * @throws LockBackendException when the TLS files cannot be read
     */
    public static EtcdLockEngine open(EtcdEngineConfig config) {
        return new EtcdLockEngine(config, EtcdConnection.open(config));
    }

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
        return parts.failures().endpoint();
    }

    @Override
    public void start(EngineContext context) {
        runtime.start(context, this::tick, TICK_NANOS);
        connection.useClock(runtime.ticker()::read);
        // news from gRPC's thread, handed to the manager's scheduler
        connection.onDefiniteFailure(() -> runtime.schedule(this::endOnDefiniteFailure, 0));
    }

    @Override
    public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
        Objects.requireNonNull(request, "request");
        if (!runtime.started()) {
            throw new IllegalStateException("the etcd engine was not started: the manager calls start() first");
        }
        if (runtime.stopped()) {
            return CompletableFuture.failedFuture(parts.failures().stopped("acquire lock '" + request.name() + "'"));
        }
        EtcdAcquisition acquisition = new EtcdAcquisition(parts, request);
        inFlight.add(acquisition);
        acquisition.result.whenComplete((grant, failure) -> inFlight.remove(acquisition));
        return acquisition.result; // it starts on the caller that waits for it, or when dispatched
    }

    @Override
    public CompletableFuture<Void> release(LockGrant grant) {
        return parts.removal().release(grant);
    }

    @Override
    public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
        return parts.renewal().renew(grants);
    }

    /**
     * What the own client's channel knows: it fails to connect (the cause: refused, not an etcd
     * port, TLS…), or has been connecting for longer than the connect timeout. Empty with an
     * application's client, whose channel the engine cannot see.
     */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        return parts.failures().connectionProblem();
    }

    @Override
    public Optional<LockInspector> inspector() {
        return Optional.of(inspector);
    }

    /**
     * Every 200 ms on the manager's scheduler: the keep-alives that are due; every fifth time, stray
     * keys; while the channel fails definitely, the acquisitions that came since it said so.
     */
    private void tick() {
        endOnDefiniteFailure();
        parts.sessions().keepAlive();
        if (++ticks % STRAY_SWEEP_EVERY_TICKS == 0) {
            parts.strayKeys().sweep();
        }
    }

    /**
     * While the channel fails in a way no wait can cure (a TLS handshake failure on every endpoint:
     * see {@link EtcdChannelState#definiteFailure()}), every acquisition in flight ends now with it,
     * instead of when its wait ends. Runs when the channel notes such a failure, and on each tick
     * (for acquisitions that came since): never on an acquisition's path.
     */
    private void endOnDefiniteFailure() {
        Optional<EtcdChannelState.Definite> failure = connection.definiteFailure();
        if (failure.isEmpty() || runtime.stopped()) {
            return;
        }
        try {
            for (EtcdAcquisition acquisition : List.copyOf(inFlight)) {
                acquisition.endBy(parts.failures().definite(acquisition.name(), failure.get()));
            }
        } catch (RuntimeException e) {
            // never let it end the periodic tick
            EtcdFailures.LOG.log(
                    System.Logger.Level.WARNING, "etcd engine: ending acquisitions on a failed connection failed", e);
        }
    }

    /**
     * Drops the connection without releasing or revoking anything, as a crash would: the locks
     * end when their leases do.
     */
    @Override
    public void abandon() {
        runtime.abandon();
        stopWaiting();
        connection.close();
    }

    /**
     * Stops waiting, revokes the session leases (which deletes any key still on them) within one
     * request timeout, and closes the client unless the application supplied it. Idempotent.
     */
    @Override
    public void close() {
        if (!runtime.close()) {
            return;
        }
        stopWaiting();
        if (!runtime.abandoned()) {
            parts.sessions().revokeAll(requestTimeout);
            connection.close();
        }
    }

    /** Stops the ticks, cancels the acquisitions in flight and closes the shared watches. */
    private void stopWaiting() {
        runtime.stopTicks();
        for (EtcdAcquisition acquisition : List.copyOf(inFlight)) {
            acquisition.result.cancel(false);
        }
        parts.watches().closeAll();
    }

    @Override
    public String toString() {
        return "EtcdLockEngine{" + describeEndpoint() + ", namespace='" + parts.namespace() + "'}";
    }

    // ----------------------------------------------------------------------------- for tests

    /** Key names held back for a request that may land late. */
    int strayKeysKept() {
        return parts.strayKeys().size();
    }

    /** Requests sent on the direct path so far (0 without one). */
    long directRequestsSent() {
        return connection.directRequestsSent();
    }

    /** The shared watch of a directory, if one is open. */
    Optional<EtcdDirectoryWatch> openDirectoryWatch(ByteSequence directory) {
        return parts.watches().find(directory);
    }
}
