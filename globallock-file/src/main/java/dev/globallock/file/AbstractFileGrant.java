/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.util.OptionalLong;

/**
 * What every file engine grant holds: its token, and the request and engine it was made for. Each
 * table has its own final subclass ({@link FileGrant}, {@link SharedGrant}), so the engine tells them
 * apart by type. Immutable.
 */
abstract class AbstractFileGrant implements LockGrant {
    final long token;
    final AcquireRequest request;
    final FileLockEngine engine;
    /** The manager's ticker when the lock was granted: the OS lock was held then. */
    final long grantedAtNanos;

    AbstractFileGrant(long token, AcquireRequest request, FileLockEngine engine, long grantedAtNanos) {
        this.token = token;
        this.request = request;
        this.engine = engine;
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
