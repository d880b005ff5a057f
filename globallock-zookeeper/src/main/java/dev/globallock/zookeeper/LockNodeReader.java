/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.LockBackendException;
import dev.globallock.spi.support.EngineErrors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Checks many held lock nodes at once, for the watchdog's renewal and after a reconnection: one
 * {@code multiRead} of their data per {@value #MULTI_READ_BATCH} nodes (a read on the server, no
 * write, no fsync), or, on a server older than 3.6 that answers UNIMPLEMENTED, pipelined single
 * reads. Thread-safe.
 */
final class LockNodeReader {
    /** Reads per multiRead request, well under the 1 MB packet limit (each answer is a ~70-byte stat). */
    static final int MULTI_READ_BATCH = 1000;

    private final EngineErrors errors;
    private final String namespace;
    private volatile boolean multiReadUnsupported;

    LockNodeReader(String endpoint, String namespace) {
        this.errors = EngineErrors.of("zookeeper", () -> endpoint);
        this.namespace = namespace;
    }

    /**
     * Reads the grants' nodes in one round trip per {@value #MULTI_READ_BATCH} (a ZooKeeper 3.6+
     * {@code multiRead}; pipelined single reads on older servers) and completes with those that are
     * gone or belong to another session.
     */
    CompletableFuture<Set<ZooKeeperGrant>> missing(ZooKeeper zk, List<ZooKeeperGrant> grants) {
        if (grants.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        List<CompletableFuture<Set<ZooKeeperGrant>>> parts = new ArrayList<>();
        for (int from = 0; from < grants.size(); from += MULTI_READ_BATCH) {
            List<ZooKeeperGrant> batch = grants.subList(from, Math.min(grants.size(), from + MULTI_READ_BATCH));
            parts.add(multiReadUnsupported ? readOneByOne(zk, batch) : multiRead(zk, batch));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    Set<ZooKeeperGrant> missing = new HashSet<>();
                    parts.forEach(part -> missing.addAll(part.join()));
                    return missing;
                });
    }

    private CompletableFuture<Set<ZooKeeperGrant>> multiRead(ZooKeeper zk, List<ZooKeeperGrant> batch) {
        CompletableFuture<Set<ZooKeeperGrant>> done = new CompletableFuture<>();
        List<Op> reads = new ArrayList<>(batch.size());
        for (ZooKeeperGrant grant : batch) {
            reads.add(Op.getData(fullPath(grant.node)));
        }
        zk.multi(
                reads,
                (rc, path, ctx, results) -> {
                    Code code = Code.get(rc);
                    if (code == Code.UNIMPLEMENTED) {
                        multiReadUnsupported = true;
                        readOneByOne(zk, batch).whenComplete((missing, failure) -> {
                            if (failure != null) {
                                done.completeExceptionally(failure);
                            } else {
                                done.complete(missing);
                            }
                        });
                        return;
                    }
                    // the callback's code is the first failed read's (NONODE for a lost lock), yet
                    // every read has its own result: only a missing result list is a failure
                    if (results == null || results.size() != batch.size()) {
                        done.completeExceptionally(new LockBackendException(
                                errors.say("could not read " + batch.size() + " lock node(s): " + code)));
                        return;
                    }
                    Set<ZooKeeperGrant> missing = new HashSet<>();
                    for (int i = 0; i < results.size(); i++) {
                        OpResult result = results.get(i);
                        ZooKeeperGrant grant = batch.get(i);
                        if (result instanceof OpResult.GetDataResult) {
                            Stat stat = ((OpResult.GetDataResult) result).getStat();
                            if (!ownedBy(stat, grant)) {
                                missing.add(grant);
                            }
                        } else if (result instanceof OpResult.ErrorResult
                                && ((OpResult.ErrorResult) result).getErr() == Code.NONODE.intValue()) {
                            missing.add(grant);
                        } else {
                            done.completeExceptionally(new LockBackendException(errors.say("could not read lock node "
                                    + grant.node + " of lock '" + grant.request.name() + "': " + describe(result))));
                            return;
                        }
                    }
                    done.complete(missing);
                },
                null);
        return done;
    }

    private CompletableFuture<Set<ZooKeeperGrant>> readOneByOne(ZooKeeper zk, List<ZooKeeperGrant> batch) {
        List<CompletableFuture<ZooKeeperGrant>> reads = new ArrayList<>(batch.size());
        for (ZooKeeperGrant grant : batch) {
            CompletableFuture<ZooKeeperGrant> read = new CompletableFuture<>();
            zk.exists(
                    fullPath(grant.node),
                    false,
                    (rc, path, ctx, stat) -> {
                        Code code = Code.get(rc);
                        if (code == Code.OK) {
                            read.complete(ownedBy(stat, grant) ? null : grant);
                        } else if (code == Code.NONODE) {
                            read.complete(grant);
                        } else {
                            read.completeExceptionally(new LockBackendException(
                                    errors.say("could not read lock node " + grant.node + ": " + code)));
                        }
                    },
                    null);
            reads.add(read);
        }
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> {
                    Set<ZooKeeperGrant> missing = new HashSet<>();
                    for (CompletableFuture<ZooKeeperGrant> read : reads) {
                        if (read.join() != null) {
                            missing.add(read.join());
                        }
                    }
                    return missing;
                });
    }

    private static boolean ownedBy(Stat stat, ZooKeeperGrant grant) {
        return stat != null && stat.getEphemeralOwner() == grant.sessionId && stat.getCzxid() == grant.czxid;
    }

    private static String describe(OpResult result) {
        if (result instanceof OpResult.ErrorResult) {
            return Code.get(((OpResult.ErrorResult) result).getErr()).toString();
        }
        return String.valueOf(result);
    }

    /** A namespace-relative path as the raw ZooKeeper handle needs it. */
    private String fullPath(String node) {
        return ZKPaths.makePath(namespace, node);
    }
}
