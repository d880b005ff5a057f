/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.CallerRunsFuture;

/**
 * Makes the waiter of an acquire request: the lock's keys (cached by {@link LockNames}), or a
 * semaphore's or read-write lock's keys and argument (see {@link SharedModes}); a new owner id;
 * and what cancelling its future undoes. Thread-safe; never blocks: a cancelled writer's place
 * among the waiting writers is removed by {@link Undo}, on the I/O executor.
 */
final class WaiterFactory {
    private final LockNames names = new LockNames();
    private final Attempts attempts;
    private final WaitRoom room;
    private final Undo undo;

    WaiterFactory(Attempts attempts, WaitRoom room, Undo undo) {
        this.attempts = attempts;
        this.room = room;
        this.undo = undo;
    }

    /**
     * The waiter that completes the future, its cancellation registered; the caller defers it.
     *
     * @throws IllegalArgumentException when a read downgrades a grant the redis engine did not make
     */
    Waiter waiter(AcquireRequest request, CallerRunsFuture<LockGrant> future) {
        if (request.mode() != AcquireMode.EXCLUSIVE) {
            return shared(request, future);
        }
        Waiter waiter = new Waiter(request, names.keysOf(request.key()), names.newOwner(), future, attempts);
        future.onCancel(() -> room.cancelled(waiter));
        return waiter;
    }

    /**
     * A permit, a read or a write grant: the same waiter and wait room as the lock, with the mode's
     * keys and scripts. A writer that stops waiting also leaves the waiting writers, so the readers
     * it kept out enter at once.
     */
    private Waiter shared(AcquireRequest request, CallerRunsFuture<LockGrant> future) {
        byte[] downgrading = null;
        if (request.downgrading().isPresent()) {
            downgrading = RedisGrant.of(request.downgrading().get()).owner;
        }
        byte[] argument = SharedModes.argument(request.mode(), request.permits(), downgrading, request.singleAttempt());
        LockKeys keys = LockKeys.shared(request.key(), request.mode());
        Waiter waiter = new Waiter(request, keys, names.newOwner(), argument, future, attempts);
        future.onCancel(() -> {
            room.cancelled(waiter);
            if (keys.queue != null) {
                undo.release(keys.queue, waiter.owner, waiter.leaseMillis);
            }
        });
        return waiter;
    }
}
