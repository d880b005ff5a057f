/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Key names that a delayed request of this engine may still create or delete: an acquire transaction whose
 * outcome the engine never learned (a deadline passed, the connection broke) can be applied later,
 * for example by a member that was frozen (SIGSTOP, a long GC pause, a VM migration) and forwards it
 * once it runs again. Applied after the acquisition ended, that guarded put creates the key on the
 * live session lease with nobody tracking it: a stray key that every later waiter queues behind
 * until the session lease ends, which may be never on a busy engine.
 *
 * <p>So such a key name is kept here instead of being reused: its slot stays taken, and about once a
 * second one read-only transaction reads every kept name and deletes what it finds (guarded by the
 * found key's create revision). No live acquisition uses a kept name, so whatever is found there is
 * a stray. A delete whose answer was lost is the other late request: applied after the name was
 * reused, it would delete a newer acquisition's key; such names are only held, not read. A name is
 * let go after {@link #KEEP_FOR_NANOS}, or earlier when only a put was to be feared and its lease
 * is gone (a put on a dead lease fails); at most {@link #LIMIT} names are kept.
 *
 * <p>Thread-safe; never blocks.
 */
final class EtcdStrayKeys {
    private static final System.Logger LOG = System.getLogger(EtcdStrayKeys.class.getName());

    /** How long a delayed request is watched for. */
    static final long KEEP_FOR_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Names kept at most; beyond that the oldest is let go. */
    static final int LIMIT = 1000;
    /** Reads per sweep: etcd's default --max-txn-ops is 128. */
    private static final int READS_PER_SWEEP = 100;

    private final EtcdKeySlots slots;
    private final EtcdCalls calls;
    private final EtcdRuntime runtime;
    private final String endpoint;
    private final Map<ByteSequence, Stray> kept = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** Where the next sweep's window starts; one sweep at a time ({@link #sweeping}) touches it. */
    private long cursor;

    /**
     * @param latePutOn the session lease a late put of this name would carry, or null
     * @param lateDelete whether a late delete of this name may still land (then the name is held for
     *     {@link #KEEP_FOR_NANOS} even after the lease is gone)
     */
    private record Stray(
            String name,
            ByteSequence directory,
            int slot,
            ByteSequence key,
            EtcdLease latePutOn,
            boolean lateDelete,
            long since) {

        /** Whether a late put may still create the key: then the sweep looks for it. */
        boolean mayAppear() {
            return latePutOn != null && !latePutOn.isDead();
        }
    }

    EtcdStrayKeys(EtcdKeySlots slots, EtcdCalls calls, EtcdRuntime runtime, String endpoint) {
        this.slots = slots;
        this.calls = calls;
        this.runtime = runtime;
        this.endpoint = endpoint;
    }

    /**
     * Keeps a key name out of use because a request that got no answer may still be applied: a put
     * on {@code latePutOn} (a session lease, or null) that would re-create the key, or a delete
     * ({@code lateDelete}) that would delete a newer key of that name. The caller hands over its
     * slot: it is freed when the name is let go, at once when there is nothing to wait for.
     */
    void keep(
            String name, ByteSequence directory, int slot, ByteSequence key, EtcdLease latePutOn, boolean lateDelete) {
        // a lock's own lease is revoked with its key, and a put on a dead lease fails
        EtcdLease putOn = latePutOn != null && latePutOn.session && !latePutOn.isDead() ? latePutOn : null;
        if (putOn == null && !lateDelete) {
            slots.free(directory, slot);
            return;
        }
        kept.put(key, new Stray(name, directory, slot, key, putOn, lateDelete, runtime.now()));
        if (kept.size() > LIMIT) {
            kept.values().stream()
                    .min(java.util.Comparator.comparingLong(Stray::since))
                    .ifPresent(oldest -> letGo(oldest, "more than " + LIMIT + " key names are watched"));
        }
    }

    int size() {
        return kept.size();
    }

    /** Reads the kept names and deletes what delayed requests created there; one sweep at a time. */
    void sweep() {
        if (kept.isEmpty() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            long now = runtime.now();
            List<Stray> due = new ArrayList<>();
            for (Stray stray : kept.values()) {
                if (now - stray.since > KEEP_FOR_NANOS || (!stray.mayAppear() && !stray.lateDelete)) {
                    letGo(stray, null);
                } else if (stray.mayAppear()) {
                    due.add(stray);
                }
            }
            // more than one Txn can read: a rotating window, so every name is read every few sweeps
            List<Stray> batch = new ArrayList<>(Math.min(due.size(), READS_PER_SWEEP));
            int first = due.isEmpty() ? 0 : (int) Math.floorMod(cursor, (long) due.size());
            for (int i = 0; i < Math.min(due.size(), READS_PER_SWEEP); i++) {
                batch.add(due.get((first + i) % due.size()));
            }
            cursor += batch.size();
            if (batch.isEmpty()) {
                sweeping.set(false);
                return;
            }
            ByteSequence[] keys = new ByteSequence[batch.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = batch.get(i).key;
            }
            calls.readKeys(keys).whenComplete((response, failure) -> {
                if (failure != null) {
                    sweeping.set(false); // the next tick tries again
                    return;
                }
                List<CompletableFuture<Void>> deletes = new ArrayList<>();
                for (int i = 0; i < keys.length; i++) {
                    for (KeyValue found : response.getGetResponses().get(i).getKvs()) {
                        Stray stray = batch.get(i);
                        LOG.log(
                                Level.INFO,
                                () -> "etcd engine at " + endpoint + ": deleting a key of lock '"
                                        + stray.name + "' that a delayed request created after its acquisition"
                                        + " ended (create revision " + found.getCreateRevision() + ")");
                        deletes.add(calls.deleteIfCreatedAt(stray.key, found.getCreateRevision()));
                    }
                }
                CompletableFuture.allOf(deletes.toArray(new CompletableFuture<?>[0]))
                        .whenComplete((ignored, deleteFailure) -> sweeping.set(false));
            });
        } catch (RuntimeException e) {
            sweeping.set(false);
            LOG.log(Level.WARNING, "etcd engine: sweeping stray keys failed", e);
        }
    }

    private void letGo(Stray stray, String why) {
        if (kept.remove(stray.key, stray)) {
            slots.free(stray.directory, stray.slot);
            if (why != null) {
                LOG.log(
                        Level.WARNING,
                        () -> "etcd engine at " + endpoint + ": no longer watching key "
                                + EtcdKeys.text(stray.key) + " of lock '" + stray.name + "' for a delayed request: "
                                + why);
            }
        }
    }
}
