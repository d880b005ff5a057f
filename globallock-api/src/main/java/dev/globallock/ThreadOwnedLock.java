package dev.globallock;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The {@link Lock} view of one lock name: the handles are kept per thread, so {@link #unlock()}
 * must be called by the thread that locked, as {@code java.util.concurrent} expects.
 */
final class ThreadOwnedLock implements Lock {
    private static final LockOptions FOREVER =
            LockOptions.builder().waitForever().build();
    private static final LockOptions ONE_ATTEMPT =
            LockOptions.builder().noWait().build();

    private final GlobalLockManager manager;
    private final String name;
    private final Map<Thread, Deque<LockHandle>> handles = new ConcurrentHashMap<>();

    ThreadOwnedLock(GlobalLockManager manager, String name) {
        this.manager = manager;
        this.name = name;
    }

    /** Waits until acquired; an interrupt while waiting is remembered and restored afterwards. */
    @Override
    public void lock() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    push(manager.lock(name, FOREVER));
                    return;
                } catch (LockInterruptedException e) {
                    interrupted = true;
                    Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before waiting for lock '" + name + "'");
        }
        try {
            push(manager.lock(name, FOREVER));
        } catch (LockInterruptedException e) {
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException(e.getMessage());
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    /** One attempt; like {@link Lock#tryLock()}, it does not respond to the thread's interrupt flag. */
    @Override
    public boolean tryLock() {
        boolean interrupted = Thread.interrupted();
        try {
            return pushIfLocked(manager.tryLock(name, ONE_ATTEMPT));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before waiting for lock '" + name + "'");
        }
        LockOptions options = LockOptions.builder()
                .waitTime(java.time.Duration.ofNanos(Math.max(0, unit.toNanos(time))))
                .build();
        try {
            return pushIfLocked(manager.tryLock(name, options));
        } catch (LockInterruptedException e) {
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException(e.getMessage());
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    @Override
    public void unlock() {
        Thread thread = Thread.currentThread();
        Deque<LockHandle> held = handles.get(thread);
        LockHandle handle = held == null ? null : held.pollLast();
        if (handle == null) {
            throw new IllegalMonitorStateException("the current thread does not hold lock '" + name + "'");
        }
        if (held.isEmpty()) {
            handles.remove(thread);
        }
        handle.close();
    }

    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("distributed locks have no conditions (lock '" + name + "')");
    }

    private boolean pushIfLocked(LockHandle handle) {
        if (!handle.isLocked()) {
            return false;
        }
        push(handle);
        return true;
    }

    private void push(LockHandle handle) {
        handles.computeIfAbsent(Thread.currentThread(), t -> new ArrayDeque<>()).addLast(handle);
    }

    @Override
    public String toString() {
        return "Lock{" + name + " on " + manager.engineName() + "}";
    }
}
