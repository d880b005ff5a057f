/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.lang.System.Logger.Level;

/**
 * Runs the waiters' acquisition attempts. An attempt is one EVALSHA of the acquire script (see
 * {@link Backend#acquire}): a grant completes the waiter's future and enters the {@link Leases}; a
 * lock held by another owner sends the waiter to the {@link WaitRoom} until a release or the
 * holder's lease ends; a failure is judged by the {@link RideThrough} rules, and an attempt that
 * may have run although it failed is undone by whoever gives up. Thread-safe.
 */
final class Attempts implements Waiter.Runner {
    private final Backend backend;
    private final WaitRoom room;
    private final Leases leases;
    private final RideThrough rideThrough;
    private final Undo undo;
    private final Topology topology;
    private final EngineThreads threads;
    private final EngineState state;

    Attempts(
            Backend backend,
            WaitRoom room,
            Leases leases,
            RideThrough rideThrough,
            Undo undo,
            Topology topology,
            EngineThreads threads,
            EngineState state) {
        this.backend = backend;
        this.room = room;
        this.leases = leases;
        this.rideThrough = rideThrough;
        this.undo = undo;
        this.topology = topology;
        this.threads = threads;
        this.state = state;
    }

    @Override
    public void dispatched(Waiter waiter) {
        room.register(waiter);
    }

    /** One attempt for the waiter; runs on an I/O thread or a blocking caller. */
    @Override
    public void attempt(Waiter waiter) {
        if (waiter.future.isDone()) {
            return;
        }
        if (state.isClosed()) {
            room.leave(waiter);
            waiter.future.completeExceptionally(state.closed("acquire lock '" + waiter.request.name() + "'"));
            return;
        }
        long sequenceBefore = room.sequence(waiter.keys.channel);
        // read before the attempt: a change of the master's identity after it makes this grant the former process's
        long epoch = backend.epoch();
        long sentAt = threads.ticker().read(); // the lease starts no earlier on the server: the grant counts from here
        AcquireReply reply;
        try {
            reply = waiter.modeArgument == null
                    ? backend.acquire(waiter.keys, waiter.owner, waiter.leaseMillis)
                    : SharedModes.acquire(backend, waiter.keys, waiter.owner, waiter.leaseMillis, waiter.modeArgument);
        } catch (RuntimeException e) {
            failed(waiter, e);
            return;
        }
        rideThrough.answered();
        if (reply.acquired) {
            RedisGrant grant = new RedisGrant(
                    waiter.request.name(), waiter.keys, waiter.owner, reply.token, waiter.leaseMillis, sentAt);
            leases.granted(grant, waiter.request.listener(), epoch);
            room.leaveIfRegistered(waiter);
            if (!waiter.future.complete(grant)) {
                leases.forget(grant);
                undo.release(grant.keys, grant.owner, waiter.leaseMillis);
            }
            return;
        }
        if (reply.heldPermits > 0) {
            room.leaveIfRegistered(waiter);
            waiter.future.completeExceptionally(new IllegalArgumentException("permits of semaphore '"
                    + waiter.request.name() + "' was '" + waiter.request.permits() + "' but engine 'redis' at "
                    + backend.describe() + " holds it with " + reply.heldPermits + " permits (" + reply.holders
                    + " taken): every user of a semaphore must give the same permits"));
            return;
        }
        if (waiter.request.singleAttempt()) {
            room.leaveIfRegistered(waiter);
            waiter.future.complete(null);
            return;
        }
        RideThrough.reset(waiter);
        room.awaitRelease(waiter, reply.pttl, sequenceBefore);
    }

    /** The attempt failed: the wait ends, or rides the failure out (see {@link RideThrough}). */
    private void failed(Waiter waiter, RuntimeException error) {
        // the script may have run before the connection broke: whoever gives up undoes it
        boolean ambiguous = Errors.mayHaveRun(error);
        boolean ridable = rideThrough.failed(error);
        topology.refreshSoon();
        boolean endsWait =
                rideThrough.endsWait(waiter, error, ridable, threads.ticker().read());
        long backoff = endsWait ? 0 : RideThrough.backoffMillis(waiter);
        WaitRoom.AfterFailure next = room.afterFailure(waiter, ambiguous, endsWait, backoff);
        if (next == WaitRoom.AfterFailure.ENDS) {
            room.leaveIfRegistered(waiter);
            waiter.future.completeExceptionally(
                    state.isClosed()
                            ? state.closed("acquire lock '" + waiter.request.name() + "'")
                            : state.failure("acquire", "lock '" + waiter.request.name() + "'", error));
        } else if (next == WaitRoom.AfterFailure.RETRIES && !waiter.future.isDone()) {
            EngineState.LOG.log(
                    Level.DEBUG, () -> "retrying lock '" + waiter.request.name() + "' after " + Errors.describe(error));
        }
        // the room wrote it under its lock, on this attempt's behalf
        if (next != WaitRoom.AfterFailure.RETRIES && waiter.ambiguous) {
            undo.release(waiter.keys, waiter.owner, waiter.leaseMillis);
        }
    }
}
