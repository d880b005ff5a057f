/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockGrant;
import java.util.OptionalLong;

/** A file engine's grant: the key, its token, and the request and engine it was made for. Immutable. */
final class FileGrant implements LockGrant {
    final String key;
    final long token;
    final AcquireRequest request;
    final FileLockEngine engine;
    /** The manager's ticker when the lock was granted: the OS lock was held then. */
    final long grantedAtNanos;

    FileGrant(String key, long token, AcquireRequest request, FileLockEngine engine, long grantedAtNanos) {
        this.key = key;
        this.token = token;
        this.request = request;
        this.engine = engine;
        this.grantedAtNanos = grantedAtNanos;
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
        return "FileGrant{" + key + ", token=" + token + "}";
    }
}
