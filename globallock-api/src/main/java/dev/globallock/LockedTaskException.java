/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/**
 * Carries a checked exception thrown by a task run with {@link GlobalLockManager#withLock}: the
 * lock worked, the task failed, and the lock was released. {@link #getCause()} is the task's
 * exception; unchecked exceptions and errors from the task are rethrown as they are, unwrapped. A
 * {@link GlobalLockException} like every run-time failure of a {@code withLock} call, so one {@code
 * catch (GlobalLockException e)} sees them all; catch this type first to tell a failed task from a
 * lock that could not be had.
 */
public class LockedTaskException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    public LockedTaskException(String lockName, Exception cause) {
        super("the task run under lock '" + lockName + "' failed: " + cause, cause);
    }
}
