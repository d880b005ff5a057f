/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.LockEventListener;
import dev.globallock.LockState;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Every {@link LockEventListener} bean of the application; one that throws does not stop the others. */
final class CompositeLockEventListener implements LockEventListener {
    private static final System.Logger LOG = System.getLogger(CompositeLockEventListener.class.getName());

    private final List<LockEventListener> listeners;

    private CompositeLockEventListener(List<LockEventListener> listeners) {
        this.listeners = listeners;
    }

    /** Null for none, the listener itself for one. */
    static LockEventListener of(List<LockEventListener> listeners) {
        if (listeners.isEmpty()) {
            return null;
        }
        return listeners.size() == 1 ? listeners.get(0) : new CompositeLockEventListener(List.copyOf(listeners));
    }

    @Override
    public void acquired(String name, Duration waited, boolean reentrant) {
        each(name, l -> l.acquired(name, waited, reentrant));
    }

    @Override
    public void notAcquired(String name, Duration waited) {
        each(name, l -> l.notAcquired(name, waited));
    }

    @Override
    public void released(String name, Duration held) {
        each(name, l -> l.released(name, held));
    }

    @Override
    public void lost(String name, LockState state) {
        each(name, l -> l.lost(name, state));
    }

    @Override
    public void waitStarted(String name) {
        each(name, l -> l.waitStarted(name));
    }

    @Override
    public void waitEnded(String name, Duration waited) {
        each(name, l -> l.waitEnded(name, waited));
    }

    @Override
    public void acquireFailed(String name, Duration waited, Throwable cause) {
        each(name, l -> l.acquireFailed(name, waited, cause));
    }

    @Override
    public void renewed(String name) {
        each(name, l -> l.renewed(name));
    }

    @Override
    public void renewalFailed(String name, Throwable cause) {
        each(name, l -> l.renewalFailed(name, cause));
    }

    private void each(String name, Consumer<LockEventListener> call) {
        for (LockEventListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "lock event listener " + listener + " threw for lock '" + name + "'", e);
            }
        }
    }
}
