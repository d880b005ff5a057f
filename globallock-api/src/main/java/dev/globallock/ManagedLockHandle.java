/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A handle on an acquired lease; several share one {@link HeldLock} (and one {@link
 * Reentrancy.Holds}) when reentered. Released once, from any thread.
 */
final class ManagedLockHandle implements LockHandle {
    private static final AtomicIntegerFieldUpdater<ManagedLockHandle> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(ManagedLockHandle.class, "closed");

    private final LockRelease release;
    private final HeldLock lease;
    /** The reentrancy entry this handle's hold counts in; null for an asynchronous acquisition. */
    private final Reentrancy.Holds holds;
    /** 1 once released through this handle. */
    private volatile int closed;
    /** The futures {@link #lost()} gave out, cancelled when this handle is released; guarded by this. */
    private List<CompletableFuture<Void>> lostViews;

    ManagedLockHandle(LockRelease release, HeldLock lease, Reentrancy.Holds holds) {
        this.release = release;
        this.lease = lease;
        this.holds = holds;
    }

    HeldLock lease() {
        return lease;
    }

    @Override
    public String name() {
        return lease.name;
    }

    @Override
    public boolean isLocked() {
        return closed == 0 && lease.state().isLocked();
    }

    @Override
    public LockState state() {
        return closed == 0 ? lease.state() : LockState.RELEASED;
    }

    @Override
    public long fencingToken() {
        return lease.grant().fencingToken();
    }

    @Override
    public int holdCount() {
        if (closed != 0 || lease.isReleased()) {
            return 0;
        }
        return holds == null ? 1 : holds.count();
    }

    @Override
    public LockHandle onLost(Runnable listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        // the lease outlives this handle when other holds remain: stay silent once this one is released
        // (as it was when the loss was noticed: the listener itself may run after a release)
        lease.onLost(new LostLeaseListeners.HandleListener() {
            @Override
            public boolean wanted() {
                return closed == 0;
            }

            @Override
            public void run() {
                listener.run();
            }
        });
        return this;
    }

    @Override
    public CompletableFuture<Void> lost() {
        CompletableFuture<Void> view = new CompletableFuture<>();
        synchronized (this) {
            if (lostViews == null) {
                lostViews = new ArrayList<>(1);
            }
            lostViews.add(view);
        }
        if (closed != 0) {
            view.cancel(false); // released through this handle already (another hold may remain)
            return view;
        }
        lease.lostFuture().whenComplete((ignored, cancelled) -> {
            if (cancelled != null) {
                view.cancel(false);
            } else {
                view.complete(null);
            }
        });
        return view;
    }

    /** This handle's hold is gone: its lost() futures are cancelled even if other holds go on. */
    private void cancelLostViews() {
        List<CompletableFuture<Void>> views;
        synchronized (this) {
            views = lostViews;
            lostViews = null;
        }
        if (views != null) {
            views.forEach(view -> view.cancel(false));
        }
    }

    @Override
    public void release() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("lock '" + lease.name + "' was already released through this handle");
        }
        try {
            release.release(lease, holds, true);
        } finally {
            cancelLostViews();
        }
    }

    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            try {
                release.release(lease, holds, false);
            } finally {
                cancelLostViews();
            }
        }
    }

    @Override
    public String toString() {
        return "LockHandle{" + lease.name + ", " + state() + "}";
    }
}
