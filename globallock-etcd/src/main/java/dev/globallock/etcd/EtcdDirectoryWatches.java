/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The engine's shared watches: per lock directory with local waiters (or lately had them), the one
 * {@link EtcdDirectoryWatch} they share. Thread-safe; never blocks.
 */
final class EtcdDirectoryWatches {
    private final EtcdCalls calls;
    private final EtcdRuntime runtime;
    private final Map<ByteSequence, EtcdDirectoryWatch> open = new ConcurrentHashMap<>();
    /** What a watch that retired or broke by itself calls: one instance for all of them. */
    private final Consumer<EtcdDirectoryWatch> forget = this::forget;

    EtcdDirectoryWatches(EtcdCalls calls, EtcdRuntime runtime) {
        this.calls = calls;
        this.runtime = runtime;
    }

    /**
     * The engine's shared watch of a lock's directory, opened by the first waiter that needs it;
     * null once the engine is closed or abandoned.
     */
    EtcdDirectoryWatch watch(ByteSequence directory) {
        while (true) {
            if (runtime.stopped()) {
                return null;
            }
            EtcdDirectoryWatch existing = open.get(directory);
            if (existing != null) {
                if (!existing.isClosed()) {
                    return existing;
                }
                open.remove(directory, existing);
                continue;
            }
            EtcdDirectoryWatch fresh = new EtcdDirectoryWatch(calls, runtime, forget, directory);
            if (open.putIfAbsent(directory, fresh) == null) {
                fresh.open();
                return fresh;
            }
        }
    }

    /** The shared watch of a directory, if one is open (for tests). */
    Optional<EtcdDirectoryWatch> find(ByteSequence directory) {
        return Optional.ofNullable(open.get(directory));
    }

    /** A shared watch retired (no waiter for a while) or broke. */
    private void forget(EtcdDirectoryWatch watch) {
        open.remove(watch.directory, watch);
    }

    /** Closes every shared watch: the engine closes, and cancels their waiters. */
    void closeAll() {
        for (EtcdDirectoryWatch watch : List.copyOf(open.values())) {
            watch.close();
            forget(watch);
        }
    }
}
