/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.lang.System.Logger.Level;
import java.time.Duration;

/** Calls the application's {@link LockEventListener}, logging and ignoring what it throws. */
final class SafeLockEventListener implements LockEventListener {
    private static final System.Logger LOG = System.getLogger(SafeLockEventListener.class.getName());
    static final LockEventListener NONE = new LockEventListener() {};

    private final LockEventListener delegate;

    private SafeLockEventListener(LockEventListener delegate) {
        this.delegate = delegate;
    }

    static LockEventListener wrap(LockEventListener listener) {
        return listener == NONE ? NONE : new SafeLockEventListener(listener);
    }

    @Override
    public void acquired(String name, Duration waited, boolean reentrant) {
        guard(() -> delegate.acquired(name, waited, reentrant), name);
    }

    @Override
    public void notAcquired(String name, Duration waited) {
        guard(() -> delegate.notAcquired(name, waited), name);
    }

    @Override
    public void released(String name, Duration held) {
        guard(() -> delegate.released(name, held), name);
    }

    @Override
    public void lost(String name, LockState state) {
        guard(() -> delegate.lost(name, state), name);
    }

    @Override
    public void waitStarted(String name) {
        guard(() -> delegate.waitStarted(name), name);
    }

    @Override
    public void waitEnded(String name, Duration waited) {
        guard(() -> delegate.waitEnded(name, waited), name);
    }

    @Override
    public void acquireFailed(String name, Duration waited, Throwable cause) {
        guard(() -> delegate.acquireFailed(name, waited, cause), name);
    }

    @Override
    public void renewed(String name) {
        guard(() -> delegate.renewed(name), name);
    }

    @Override
    public void renewalFailed(String name, Throwable cause) {
        guard(() -> delegate.renewalFailed(name, cause), name);
    }

    private static void guard(Runnable call, String name) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a lock event listener threw for lock '" + name + "'", e);
        }
    }
}
