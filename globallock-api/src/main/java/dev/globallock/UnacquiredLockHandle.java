/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.util.concurrent.CompletableFuture;

/** The handle of an attempt that did not acquire the lock: closing it does nothing. Immutable. */
final class UnacquiredLockHandle implements LockHandle {
    private final String name;

    UnacquiredLockHandle(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isLocked() {
        return false;
    }

    @Override
    public LockState state() {
        return LockState.NOT_ACQUIRED;
    }

    @Override
    public long fencingToken() {
        throw new IllegalStateException("lock '" + name + "' was not acquired, so it has no fencing token");
    }

    @Override
    public int holdCount() {
        return 0;
    }

    @Override
    public LockHandle onLost(Runnable listener) {
        return this;
    }

    @Override
    public CompletableFuture<Void> lost() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        never.cancel(false);
        return never;
    }

    @Override
    public void release() {
        throw new IllegalStateException("lock '" + name + "' was not acquired, so it cannot be released");
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return "LockHandle{" + name + ", NOT_ACQUIRED}";
    }
}
