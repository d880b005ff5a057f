/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.CallerRunsFuture;
import dev.globallock.spi.support.EngineErrors;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Reads who holds a lock: the lowest lock node under the lock's parent, and its czxid (the
 * holder's fencing token). Two reads; if the holder's node goes between them, it looks again. The
 * remaining lease is not reported: the lease is the holder's session, which only the server tracks.
 */
final class ZooKeeperInspector implements LockInspector {
    private final CuratorFramework client;
    private final EngineErrors errors;

    ZooKeeperInspector(CuratorFramework client, String endpoint) {
        this.client = client;
        this.errors = EngineErrors.of("zookeeper", () -> endpoint);
    }

    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key) {
        CallerRunsFuture<LockInfo> result = new CallerRunsFuture<>(Callbacks.CALLER_RUNS);
        inspect(name, LockPaths.parentOf(key), result, new AtomicInteger());
        return result;
    }

    /**
     * The holders of a read-write lock (one writer, or the readers before the first writer) or of a
     * semaphore (the first {@code permits} nodes, the permits read from the nodes' names): one
     * listing. The token is not reported (it would cost a read per holder).
     */
    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key, AcquireMode mode) {
        if (mode == AcquireMode.EXCLUSIVE) {
            return inspect(name, key);
        }
        boolean readWrite = mode != AcquireMode.PERMIT;
        String parent = readWrite
                ? LockPaths.readWrite(key, true).parent()
                : LockPaths.semaphore(key, 1).parent();
        CallerRunsFuture<LockInfo> result = new CallerRunsFuture<>(Callbacks.CALLER_RUNS);
        try {
            // a follower may not have seen a grant another client just got from another server:
            // sync first, so that the listing is at least as new as every grant made before the call
            client.sync()
                    .inBackground((c, synced) -> listShared(name, parent, readWrite, result))
                    .forPath(parent);
        } catch (Exception e) {
            result.deliverFailure(failure(name, e.toString(), e));
        }
        return result;
    }

    /** Lists a read-write lock's or semaphore's nodes and delivers how many hold it. */
    private void listShared(String name, String parent, boolean readWrite, CallerRunsFuture<LockInfo> result) {
        try {
            client.getChildren()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.NONODE) {
                            result.deliver(LockInfo.free(name));
                        } else if (code != Code.OK) {
                            result.deliverFailure(failure(name, code.toString(), null));
                        } else {
                            int holders =
                                    holders(LockPaths.sharedInSequence(event.getChildren(), readWrite), readWrite);
                            result.deliver(
                                    holders == 0
                                            ? LockInfo.free(name)
                                            : LockInfo.heldBy(name, holders, OptionalLong.empty(), Optional.empty()));
                        }
                    })
                    .forPath(parent);
        } catch (Exception e) {
            result.deliverFailure(failure(name, e.toString(), e));
        }
    }

    /** How many of a read-write lock's or semaphore's nodes (in sequence) hold it. */
    static int holders(List<String> ordered, boolean readWrite) {
        if (ordered.isEmpty()) {
            return 0;
        }
        if (!readWrite) {
            return Math.min(ordered.size(), Math.max(1, LockPaths.permitsOf(ordered.get(0))));
        }
        if (LockPaths.isWriter(ordered.get(0))) {
            return 1;
        }
        int readers = 0;
        while (readers < ordered.size() && !LockPaths.isWriter(ordered.get(readers))) {
            readers++;
        }
        return readers;
    }

    private void inspect(String name, String parent, CallerRunsFuture<LockInfo> result, AtomicInteger attempts) {
        try {
            client.getChildren()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.NONODE) {
                            result.deliver(LockInfo.free(name));
                            return;
                        }
                        if (code != Code.OK) {
                            result.deliverFailure(failure(name, code.toString(), null));
                            return;
                        }
                        String lowest = null;
                        long lowestSequence = Long.MAX_VALUE;
                        for (String child : event.getChildren()) {
                            OptionalLong sequence = LockPaths.sequenceOf(child);
                            if (sequence.isPresent() && sequence.getAsLong() < lowestSequence) {
                                lowest = child;
                                lowestSequence = sequence.getAsLong();
                            }
                        }
                        if (lowest == null) {
                            result.deliver(LockInfo.free(name));
                            return;
                        }
                        readHolder(name, parent, parent + "/" + lowest, result, attempts);
                    })
                    .forPath(parent);
        } catch (Exception e) {
            result.deliverFailure(failure(name, e.toString(), e));
        }
    }

    private void readHolder(
            String name, String parent, String holder, CallerRunsFuture<LockInfo> result, AtomicInteger attempts) {
        try {
            client.checkExists()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.OK && event.getStat() != null) {
                            result.deliver(LockInfo.held(
                                    name, OptionalLong.of(event.getStat().getCzxid()), Optional.empty()));
                        } else if (code == Code.NONODE && attempts.incrementAndGet() < 5) {
                            inspect(name, parent, result, attempts); // released meanwhile: look again
                        } else {
                            result.deliverFailure(failure(name, code.toString(), null));
                        }
                    })
                    .forPath(holder);
        } catch (Exception e) {
            result.deliverFailure(failure(name, e.toString(), e));
        }
    }

    private LockBackendException failure(String name, String why, Throwable cause) {
        return errors.failed("inspect", EngineErrors.lock(name), why, cause);
    }
}
