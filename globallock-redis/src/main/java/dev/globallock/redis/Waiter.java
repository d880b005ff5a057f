/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One pending acquisition, and the first task of its future: the first attempt. Its attempts run
 * one after another (the wait room starts the next one only when none is queued or in flight).
 */
final class Waiter implements CallerRunsFuture.Task {
    /** Runs a waiter's attempts. */
    interface Runner {
        /** One attempt; on an I/O thread or on the caller that waits. */
        void attempt(Waiter waiter);

        /** The first attempt was handed to the executor: it may sit in its queue. */
        void dispatched(Waiter waiter);
    }

    final AcquireRequest request;
    final LockKeys keys;
    final byte[] owner;
    final long leaseMillis;
    final CallerRunsFuture<LockGrant> future;
    /** A semaphore's or read-write lock's argument to every attempt (see {@link SharedModes#argument}); null for the lock. */
    final byte[] modeArgument;

    private final Runner runner;

    // the wait room's: written with its lock held

    /** In the room's waiter set. The waiter's attempts may read it without the lock. */
    volatile boolean registered;
    /** The channel it joined; only its attempts join, so they may read it without the lock. */
    Channel channel;
    /** An attempt is queued or in flight. */
    boolean running = true;

    ScheduledFuture<?> timer;
    /**
     * An attempt's connection broke after it was sent: the lock may have been granted to this
     * owner. Only its attempts write it, so they may read it without the lock.
     */
    boolean ambiguous;

    // the attempts' own (see RideThrough)

    long failingSinceNanos;
    int failures;

    Waiter(AcquireRequest request, LockKeys keys, byte[] owner, CallerRunsFuture<LockGrant> future, Runner runner) {
        this(request, keys, owner, null, future, runner);
    }

    Waiter(
            AcquireRequest request,
            LockKeys keys,
            byte[] owner,
            byte[] modeArgument,
            CallerRunsFuture<LockGrant> future,
            Runner runner) {
        this.modeArgument = modeArgument;
        this.request = request;
        this.keys = keys;
        this.owner = owner;
        this.leaseMillis = Math.max(1, request.leaseTime().toMillis());
        this.future = future;
        this.runner = runner;
    }

    /** The first attempt, on the caller that waits or on an I/O thread. */
    @Override
    public void run(boolean onCaller) {
        runner.attempt(this);
    }

    /**
     * The first attempt may sit in the executor's queue: the engine's shutdown must find it. A
     * caller that waits runs it itself; it registers only if it has to wait for a release.
     */
    @Override
    public void dispatched() {
        runner.dispatched(this);
    }

    /** Another attempt, after a wake-up. */
    void attemptAgain() {
        runner.attempt(this);
    }

    /** The waiters of one lock name and its subscription. Guarded by the wait room's lock. */
    static final class Channel {
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
}
