/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import dev.globallock.spi.AcquireRequest;

/** A file engine's grant: the key, its token, and the request and engine it was made for. Immutable. */
final class FileGrant extends AbstractFileGrant {
    final String key;

    FileGrant(String key, long token, AcquireRequest request, FileLockEngine engine, long grantedAtNanos) {
        super(token, request, engine, grantedAtNanos);
        this.key = key;
    }

    @Override
    public String toString() {
        return "FileGrant{" + key + ", token=" + token + "}";
    }
}
