/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.util.OptionalLong;

/**
 * What a grant of either memory table holds: the entry it holds, its token, the request and when the
 * lease started. Each table has its own final subclass, so the engine tells them apart by type. Immutable.
 */
abstract class MemoryGrant implements LockGrant {
    /** The table's entry: the key for a lock, family and key for a semaphore or read-write lock. */
    final String id;

    final long token;
    final AcquireRequest request;
    final long leaseNanos;
    /** The holder manager's ticker when the table granted it: the lease starts then. */
    final long grantedAtNanos;

    MemoryGrant(String id, long token, AcquireRequest request, long grantedAtNanos) {
        this.id = id;
        this.token = token;
        this.request = request;
        this.leaseNanos = request.leaseTime().toNanos();
        this.grantedAtNanos = grantedAtNanos;
    }

    @Override
    public final long fencingToken() {
        return token;
    }

    @Override
    public final OptionalLong leaseConfirmedAtNanos() {
        return OptionalLong.of(grantedAtNanos);
    }
}
