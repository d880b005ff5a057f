/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

/** What a {@link Locked} method does when its lock is not acquired within the wait time. */
public enum OnBusy {
    /** Throw the manager's {@link dev.globallock.LockTimeoutException}; the method does not run. */
    THROW,
    /**
     * Do nothing: the method does not run and the call returns {@code null} ({@code void} methods)
     * or {@code Optional.empty()} ({@code Optional} methods; no other return type is allowed). With
     * no {@link Locked#waitTime()}, one attempt is made: a busy lock is skipped at once.
     */
    SKIP
}
