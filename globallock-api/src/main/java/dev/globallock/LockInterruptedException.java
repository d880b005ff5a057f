/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * The thread was interrupted while it waited for a lock, or its interrupt flag was already set when
 * it asked for one (then nothing was sent to the backend). The thread's interrupt flag is set when
 * this is thrown, and the abandoned wait leaves nothing behind on the backend.
 */
public class LockInterruptedException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    public LockInterruptedException(String lockName, InterruptedException cause) {
        super("interrupted while waiting for lock '" + lockName + "'", cause);
    }

    /** @param message what happened, naming the lock */
    public LockInterruptedException(String message) {
        super(message);
    }
}
