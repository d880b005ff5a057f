package dev.globallock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** A handle on an acquired lease; several share one {@link HeldLock} when reentered. */
final class ManagedLockHandle implements LockHandle {
    private final GlobalLockManager manager;
    private static final AtomicIntegerFieldUpdater<ManagedLockHandle> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(ManagedLockHandle.class, "closed");

    private final HeldLock lease;
    /** 1 once released through this handle. */
    private volatile int closed;

    ManagedLockHandle(GlobalLockManager manager, HeldLock lease) {
        this.manager = manager;
        this.lease = lease;
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
        return closed == 0 ? lease.holds() : 0;
    }

    @Override
    public LockHandle onLost(Runnable listener) {
        lease.onLost(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public CompletableFuture<Void> lost() {
        CompletableFuture<Void> view = new CompletableFuture<>();
        lease.lostFuture().whenComplete((ignored, cancelled) -> {
            if (cancelled != null) {
                view.cancel(false);
            } else {
                view.complete(null);
            }
        });
        return view;
    }

    @Override
    public void release() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("lock '" + lease.name + "' was already released through this handle");
        }
        manager.releaseHold(lease, true);
    }

    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            manager.releaseHold(lease, false);
        }
    }

    @Override
    public String toString() {
        return "LockHandle{" + lease.name + ", " + state() + "}";
    }
}
