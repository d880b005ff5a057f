/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.time.Duration;

/** The lock was not acquired within the wait time. Its message names the lock and the wait. */
public class LockTimeoutException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    private final String lockName;
    private final Duration waitTime;

    public LockTimeoutException(String lockName, Duration waitTime) {
        super("lock '" + lockName + "' was not acquired within " + Durations.format(waitTime));
        this.lockName = lockName;
        this.waitTime = waitTime;
    }

    /** The name of the lock that was not acquired. */
    public String lockName() {
        return lockName;
    }

    /** How long the caller waited. */
    public Duration waitTime() {
        return waitTime;
    }
}
