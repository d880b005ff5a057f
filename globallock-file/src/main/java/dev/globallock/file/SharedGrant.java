/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.spi.AcquireRequest;
import java.nio.channels.FileLock;

/** A file engine's grant of a semaphore permit, a read or a write. Immutable. */
final class SharedGrant extends AbstractFileGrant {
    final String fileName;
    /** The permit's slot lock; null for a read or a write (their locks are the file's, shared by the JVM). */
    final FileLock slot;

    SharedGrant(
            String fileName,
            long token,
            AcquireRequest request,
            FileLockEngine engine,
            long grantedAtNanos,
            FileLock slot) {
        super(token, request, engine, grantedAtNanos);
        this.fileName = fileName;
        this.slot = slot;
    }

    @Override
    public String toString() {
        return "FileGrant{" + fileName + ", " + request.mode() + ", token=" + token + "}";
    }
}
