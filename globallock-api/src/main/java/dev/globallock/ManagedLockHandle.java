package dev.globallock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A handle on an acquired lease; several share one {@link HeldLock} when reentered. */
final class ManagedLockHandle implements LockHandle {
    private final GlobalLockManager manager;
    private final HeldLock lease;
    private final AtomicBoolean open = new AtomicBoolean(true);

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
        return open.get() && lease.state().isLocked();
    }

    @Override
    public LockState state() {
        return open.get() ? lease.state() : LockState.RELEASED;
    }

    @Override
    public long fencingToken() {
        return lease.grant().fencingToken();
    }

    @Override
    public int holdCount() {
        return open.get() ? lease.holds() : 0;
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
        if (!open.compareAndSet(true, false)) {
            throw new IllegalStateException("lock '" + lease.name + "' was already released through this handle");
        }
        manager.releaseHold(lease, true);
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            manager.releaseHold(lease, false);
        }
    }

    @Override
    public String toString() {
        return "LockHandle{" + lease.name + ", " + state() + "}";
    }
}
