/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * The backend could not be reached or failed an operation. The message names the engine, the
 * endpoint (without credentials) and, where there is one, the lock.
 */
public class LockBackendException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    public LockBackendException(String message) {
        super(message);
    }

    public LockBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
