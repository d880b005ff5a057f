/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds a blocking call that a caller runs on its own thread inside {@code get(timeout)} (see
 * {@link CallerRunsPolicy#interruptAtDeadline()}): a blocking call of the ZooKeeper client,
 * for one, waits for its answer (or for the connection to be declared lost, two thirds of a session
 * timeout later) and can only be cut short by an interrupt. One daemon thread, started on first
 * use, interrupts a caller whose deadline has passed.
 *
 * <p>It checks every {@value #TICK_MILLIS} ms while calls are armed, so a deadline is honoured to
 * within that much, and parks after a second without any: arming a call costs no thread wake-up
 * while calls keep coming, only on the first after a quiet spell.
 */
final class DeadlineInterrupts {
    static final long TICK_MILLIS = 10;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final int ARMED = 0;
    private static final int DISARMED = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;

    private static final Set<Armed> ARMED_CALLS = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean IDLE = new AtomicBoolean(true);
    private static final Thread GUARD = startGuard();

    private DeadlineInterrupts() {}

    /** One armed call: the caller disarms it when its blocking call returns. */
    static final class Armed {
        private final Thread thread = Thread.currentThread();
        private final long deadline;
        private final AtomicInteger state = new AtomicInteger(ARMED);

        private Armed(long deadline) {
            this.deadline = deadline;
        }

        /**
         * Disarms; true when the deadline passed and the guard interrupted this thread, in which
         * case the interrupt it sent is cleared again. Call on the armed thread.
         */
        boolean disarm() {
            if (state.compareAndSet(ARMED, DISARMED)) {
                ARMED_CALLS.remove(this);
                return false;
            }
            while (state.get() != FIRED) {
                Thread.onSpinWait(); // the guard is between its compareAndSet and interrupt()
            }
            Thread.interrupted();
            return true;
        }
    }

    /** Arms an interrupt of the calling thread at {@code deadline} (a {@link System#nanoTime()}). */
    static Armed arm(long deadline) {
        Armed armed = new Armed(deadline);
        ARMED_CALLS.add(armed);
        if (IDLE.get() && IDLE.compareAndSet(true, false)) {
            LockSupport.unpark(GUARD);
        }
        return armed;
    }

    private static Thread startGuard() {
        Thread guard = new Thread(DeadlineInterrupts::guard, "globallock-caller-deadlines");
        guard.setDaemon(true);
        guard.start();
        return guard;
    }

    private static void guard() {
        long lastBusy = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            for (Armed armed : ARMED_CALLS) {
                if (now - armed.deadline >= 0 && armed.state.compareAndSet(ARMED, FIRING)) {
                    ARMED_CALLS.remove(armed);
                    armed.thread.interrupt();
                    armed.state.set(FIRED);
                }
            }
            if (!ARMED_CALLS.isEmpty()) {
                lastBusy = now;
            } else if (now - lastBusy > IDLE_NANOS) {
                IDLE.set(true);
                if (ARMED_CALLS.isEmpty()) {
                    LockSupport.park(DeadlineInterrupts.class);
                }
                IDLE.set(false); // woken by arm(), or spuriously: check again either way
                lastBusy = System.nanoTime();
                continue;
            }
            LockSupport.parkNanos(DeadlineInterrupts.class, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
        }
    }
}
