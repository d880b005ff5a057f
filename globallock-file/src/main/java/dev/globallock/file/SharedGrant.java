/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.nio.channels.FileLock;
import java.util.OptionalLong;

/** A file engine's grant of a semaphore permit, a read or a write. Immutable. */
final class SharedGrant implements LockGrant {
    final String fileName;
    final long token;
    final AcquireRequest request;
    final FileLockEngine engine;
    final long grantedAtNanos;
    /** The permit's slot lock; null for a read or a write (their locks are the file's, shared by the JVM). */
    final FileLock slot;

    SharedGrant(
            String fileName,
            long token,
            AcquireRequest request,
            FileLockEngine engine,
            long grantedAtNanos,
            FileLock slot) {
        this.fileName = fileName;
        this.token = token;
        this.request = request;
        this.engine = engine;
        this.grantedAtNanos = grantedAtNanos;
        this.slot = slot;
    }

    @Override
    public long fencingToken() {
        return token;
    }

    @Override
    public OptionalLong leaseConfirmedAtNanos() {
        return OptionalLong.of(grantedAtNanos);
    }

    @Override
    public String toString() {
        return "FileGrant{" + fileName + ", " + request.mode() + ", token=" + token + "}";
    }
}
