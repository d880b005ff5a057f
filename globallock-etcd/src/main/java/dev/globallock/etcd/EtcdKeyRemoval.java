/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.LockGrant;
import io.etcd.jetcd.ByteSequence;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Takes an acquisition's key off the server once it is done with it, a release or a cancelled
 * wait: revokes its own lease (which deletes the key), or deletes the key from the session lease;
 * retries a failed attempt in the background, so that a key never lingers on a live session; and
 * then gives its name back to {@link EtcdKeySlots}, or, when a request of it may still land late,
 * to {@link EtcdStrayKeys}. Thread-safe; never blocks.
 */
final class EtcdKeyRemoval {
    private static final int CLEANUP_ATTEMPTS = 12;

    private final EtcdCalls calls;
    private final EtcdRuntime runtime;
    private final EtcdFailures failures;
    private final EtcdKeySlots slots;
    private final EtcdStrayKeys strayKeys;

    EtcdKeyRemoval(
            EtcdCalls calls, EtcdRuntime runtime, EtcdFailures failures, EtcdKeySlots slots, EtcdStrayKeys strayKeys) {
        this.calls = calls;
        this.runtime = runtime;
        this.failures = failures;
        this.slots = slots;
        this.strayKeys = strayKeys;
    }

    /** Releases a granted lock once: its key goes (one delete, or one revoke of its own lease). */
    CompletableFuture<Void> release(LockGrant lockGrant) {
        EtcdGrant grant = (EtcdGrant) Objects.requireNonNull(lockGrant, "grant");
        if (!grant.markReleased()) {
            return CompletableFuture.completedFuture(null);
        }
        if (runtime.abandoned()) {
            return CompletableFuture.failedFuture(failures.stopped("release lock '" + grant.name + "'"));
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
                        done.completeExceptionally(failures.failed("release", grant.name, failure));
                    }
                });
        return done;
    }

    /**
     * Removes an acquisition's key from the server: revokes its own lease (which deletes the key), or
     * deletes the key from the session lease. Completes with the first successful attempt, telling
     * whether an earlier attempt failed (its request may still be applied late); a failed attempt is
     * retried in the background a few times, so a key never lingers on a live session.
     *
     * @param keyOrNull the key, or null when none was written
     * @param createRevision the key's create revision, or 0 when unknown (its put's answer was lost)
     */
    private CompletableFuture<Boolean> removeLeftovers(
            String name, EtcdLease lease, ByteSequence keyOrNull, long createRevision) {
        if (!lease.session || keyOrNull != null) {
            return removeEventually(name, lease, keyOrNull, createRevision, CLEANUP_ATTEMPTS);
        }
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Removes what a failed or cancelled acquisition left on the server (see {@link
     * #removeLeftovers}), then gives its key name back (see {@link #keyRemoved}), or frees its slot
     * when the key was never written, and runs {@code then}.
     *
     * @param slot the acquisition's key slot, or -1 when it took none
     * @param keyOrNull the key, or null when none was written
     */
    void cleanUp(
            String name,
            ByteSequence directory,
            int slot,
            ByteSequence keyOrNull,
            EtcdLease lease,
            EtcdLease uncertainLease,
            long createRevision,
            Runnable then) {
        removeLeftovers(name, lease, keyOrNull, createRevision).whenComplete((retried, failure) -> {
            if (slot >= 0) {
                if (keyOrNull != null) {
                    keyRemoved(
                            name,
                            directory,
                            slot,
                            keyOrNull,
                            lease,
                            uncertainLease,
                            failure == null,
                            failure != null || retried);
                } else {
                    slots.free(directory, slot); // the key was never written
                }
            }
            then.run();
        });
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
    private void keyRemoved(
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
                return calls.bounded(calls.leases().revoke(lease.id)).handle((revoked, failure) -> {
                    if (failure != null && !EtcdErrors.leaseNotFound(failure)) {
                        throw new CompletionException(EtcdErrors.unwrap(failure));
                    }
                    lease.markDead();
                    return null;
                });
            }
            if (failedBefore.get() && createRevision > 0) {
                return calls.deleteIfCreatedAt(key, createRevision);
            }
            return calls.delete(key).thenApply(deleted -> (Void) null);
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
            boolean canRetry = attempts > 1 && EtcdErrors.transientFailure(failure) && runtime.canRetry();
            if (canRetry) {
                runtime.schedule(
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
                    EtcdFailures.LOG.log(
                            Level.WARNING,
                            () -> "etcd engine at " + failures.endpoint() + ": gave up removing a key of lock '" + name
                                    + "'; it goes when its lease ends: " + EtcdErrors.describe(failure));
                }
                done.completeExceptionally(failure);
            }
        });
    }
}
