/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Re-reading the topology after errors (cluster slots, a stale pooled connection after a restart,
 * a master that failed over): an idempotent call whose connection broke is sent once more after a
 * refresh; after other failures a refresh runs in the background, at most one per 200 ms.
 * Thread-safe.
 */
final class Topology {
    private final Runnable refresh;
    private final Executor io;
    private final AtomicLong lastRefresh = new AtomicLong();

    /**
     * @param refresh re-reads the topology (blocking; a no-op where there is none to read)
     * @param io where background refreshes run
     */
    Topology(Runnable refresh, Executor io) {
        this.refresh = refresh;
        this.io = io;
    }

    /**
     * Runs an idempotent call (release, renew, inspect) and, if the connection broke, re-reads the
     * topology and runs it once more. Acquisitions are never re-sent this way.
     */
    <T> T idempotent(Supplier<T> call) {
        try {
            return call.get();
        } catch (JedisConnectionException e) {
            try {
                refresh.run();
                return call.get();
            } catch (RuntimeException again) {
                again.addSuppressed(e);
                throw again;
            }
        }
    }

    /** Re-reads the topology in the background, unless that was done in the last 200 ms. */
    void refreshSoon() {
        long now = System.nanoTime();
        long last = lastRefresh.get();
        if (now - last > TimeUnit.MILLISECONDS.toNanos(200) && lastRefresh.compareAndSet(last, now)) {
            io.execute(this::refreshNow);
        }
    }

    /** Re-reads the topology on this thread; a failure is only logged. */
    void refreshNow() {
        try {
            refresh.run();
        } catch (RuntimeException e) {
            EngineState.LOG.log(Level.DEBUG, () -> "topology refresh failed: " + e);
        }
    }
}
