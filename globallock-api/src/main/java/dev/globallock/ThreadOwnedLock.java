/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
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

    private final Acquisitions acquisitions;
    private final String name;
    private final String engineName;
    private final Map<Thread, Deque<LockHandle>> handles = new ConcurrentHashMap<>();

    ThreadOwnedLock(Acquisitions acquisitions, String name, String engineName) {
        this.acquisitions = acquisitions;
        this.name = name;
        this.engineName = engineName;
    }

    /** Waits until acquired; an interrupt while waiting is remembered and restored afterwards. */
    @Override
    public void lock() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    push(acquisitions.acquire(name, FOREVER, true));
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
            push(acquisitions.acquire(name, FOREVER, true));
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
            return pushIfLocked(acquisitions.acquire(name, ONE_ATTEMPT, false));
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
            return pushIfLocked(acquisitions.acquire(name, options, false));
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
        return "Lock{" + name + " on " + engineName + "}";
    }
}
