/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The acquire transaction of {@link EtcdAcquisition}'s recipe, and what its answer says of the keys
 * ahead: if the acquisition's own key does not exist, put it on the lease and read the directory in
 * the same transaction; otherwise (a repeated attempt whose first try landed) read the own key
 * back. The guarded put is safe to repeat. Sent through the engine's direct calls when it has them
 * ({@link EtcdDirectKv}), else through jetcd's transaction builder: the same request either way.
 *
 * <p>Stateless and thread-safe. Nothing here blocks: each call returns the transaction's answer,
 * bounded by the request timeout ({@link EtcdCalls#bounded}).
 */
final class EtcdAcquireTxn {
    /** How many keys the lock's acquire transaction reads: our own and up to 17 ahead of it. */
    static final int NEWEST_KEYS_LIMIT = EtcdQueueWait.WATCH_WHOLE_QUEUE_UP_TO + 2;

    /**
     * The newest keys of a directory, by create revision, names only: read in the acquire
     * transaction right after the put, so our own key and up to {@link
     * EtcdQueueWait#WATCH_WHOLE_QUEUE_UP_TO} + 1 keys ahead of it.
     */
    private static final GetOption NEWEST_KEYS = GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.DESCEND)
            .withLimit(NEWEST_KEYS_LIMIT)
            .withKeysOnly(true)
            .build();

    private EtcdAcquireTxn() {}

    /** The lock's: put {@code key} if absent and read the newest keys of the directory, names only. */
    static CompletableFuture<TxnResponse> lock(
            EtcdCalls calls, ByteSequence key, EtcdLease lease, ByteSequence directory) {
        EtcdDirectKv direct = calls.directKv();
        CompletableFuture<TxnResponse> sent = direct != null
                ? direct.acquire(key, lease.id, directory, NEWEST_KEYS_LIMIT)
                : calls.kv()
                        .txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(key, ByteSequence.EMPTY, lease.putOnLease), Op.get(directory, NEWEST_KEYS))
                        .Else(Op.get(key, EtcdCalls.KEYS_ONLY))
                        .commit();
        return calls.bounded(sent);
    }

    /**
     * A permit's, read's or write's: put {@code key} (its kind in {@code value}) if absent and read
     * the whole directory with the kinds; a downgrade ({@code write} not null) puts its key only
     * while the write key it comes from is still there.
     */
    static CompletableFuture<TxnResponse> shared(
            EtcdCalls calls,
            ByteSequence key,
            ByteSequence value,
            EtcdLease lease,
            ByteSequence directory,
            EtcdGrant write) {
        EtcdDirectKv direct = calls.directKv();
        if (direct != null) {
            return calls.bounded(direct.acquireShared(
                    key,
                    value,
                    lease.id,
                    directory,
                    write == null ? null : write.key,
                    write == null ? 0 : write.createRevision));
        }
        Txn txn = calls.kv().txn();
        if (write == null) {
            txn.If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(key, value, lease.putOnLease), Op.get(directory, EtcdSharedKeys.WHOLE_DIRECTORY))
                    .Else(Op.get(key, EtcdCalls.KEYS_ONLY));
        } else {
            txn.If(
                            new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                            new Cmp(write.key, Cmp.Op.EQUAL, CmpTarget.createRevision(write.createRevision)))
                    .Then(Op.put(key, value, lease.putOnLease), Op.get(directory, EtcdSharedKeys.WHOLE_DIRECTORY))
                    .Else(Op.get(key, EtcdCalls.KEYS_ONLY));
        }
        return calls.bounded(txn.commit());
    }

    /**
     * The keys created before ours (at {@code revision}) in the lock's answer, newest first: the
     * first is the predecessor. Null when there are none: the lock is ours.
     */
    static Set<ByteSequence> keysBefore(List<KeyValue> newest, long revision) {
        Set<ByteSequence> before = null;
        for (KeyValue kv : newest) {
            if (kv.getCreateRevision() < revision) {
                if (before == null) {
                    before = new LinkedHashSet<>();
                }
                before.add(kv.getKey());
            }
        }
        return before;
    }
}
