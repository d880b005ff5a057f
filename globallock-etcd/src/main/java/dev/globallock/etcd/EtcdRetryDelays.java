/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import java.util.concurrent.TimeUnit;

/**
 * The delays between one acquisition's retries after transient failures: 50 ms, doubling up to one
 * second; failures that go on in a row for longer than {@code giveUpAfterNanos} (two request
 * timeouts) end the acquisition, so an unbounded wait on an unreachable etcd fails clearly instead
 * of hanging. Any answer starts the count again.
 *
 * <p>Not thread-safe: its acquisition's lock guards it. Time comes from the caller (the engine's
 * ticker); nothing here blocks.
 */
final class EtcdRetryDelays {
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long giveUpAfterNanos;
    private long backoffNanos;
    private long failingSinceNanos;

    EtcdRetryDelays(long giveUpAfterNanos) {
        this.giveUpAfterNanos = giveUpAfterNanos;
    }

    /** An answer came: the failures in a row end. */
    void answered() {
        backoffNanos = 0;
        failingSinceNanos = 0;
    }

    /**
     * A step failed transiently at {@code now}: the delay before it runs again, or -1 when failures
     * have gone on for too long and the acquisition gives up.
     */
    long next(long now) {
        if (failingSinceNanos == 0) {
            failingSinceNanos = now;
        }
        boolean giveUp = now - failingSinceNanos > giveUpAfterNanos;
        backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        return giveUp ? -1 : backoffNanos;
    }
}
