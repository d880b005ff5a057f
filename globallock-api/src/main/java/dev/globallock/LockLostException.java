/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * An operation needed a lease that is gone: it expired, the backend refused its renewal, or the
 * session that carried it ended. Whatever was done under the lock since then was not protected
 * by it.
 */
public class LockLostException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    private final String lockName;

    public LockLostException(String lockName, String message) {
        super(message);
        this.lockName = lockName;
    }

    public LockLostException(String lockName, String message, Throwable cause) {
        super(message, cause);
        this.lockName = lockName;
    }

    /** The name of the lock whose lease was lost. */
    public String lockName() {
        return lockName;
    }
}
