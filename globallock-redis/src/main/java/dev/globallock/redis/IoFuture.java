package dev.globallock.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A future whose blocking I/O runs on the engine's I/O executor, or on the caller's own thread when
 * the caller blocks on it anyway ({@link #get()}, {@link #join()}, or {@link #get(long, TimeUnit)}
 * with a bound no shorter than one command can take):
 *
 * <ul>
 *   <li>the first task: whoever claims it first runs it, exactly once;
 *   <li>later tasks ({@link #runSoon}, such as a waiter's retry after a release message) are handed
 *       to the blocked caller if there is one, else to the executor.
 * </ul>
 *
 * This saves two thread hand-offs on the uncontended path and one on a handoff, without ever
 * blocking a caller that did not ask to wait. Dependent stages are plain {@link CompletableFuture}s.
 *
 * <p>When the caller is known to wait on the future at once ({@link
 * dev.globallock.spi.AcquireRequest#callerWaits()}, the release hint), the first
 * task is not even offered to the executor: waking an idle executor thread only for it to find the
 * task claimed costs about as much CPU as the Redis call itself. A bounded {@code get} too short to
 * run the task inline hands it to the executor then.
 */
final class IoFuture<T> extends CompletableFuture<T> {
    private static final VarHandle CLAIMED;
    private static final VarHandle HANDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIMED = lookup.findVarHandle(IoFuture.class, "claimed", boolean.class);
            HANDED = lookup.findVarHandle(IoFuture.class, "handed", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The first task was taken (by the executor or the caller). */
    @SuppressWarnings("unused") // through CLAIMED
    private volatile boolean claimed;
    /** A later task handed to the blocked caller. */
    @SuppressWarnings("unused") // through HANDED
    private volatile Runnable handed;

    private final long inlineBoundNanos;
    /** Runs once when the future is cancelled. */
    private volatile Runnable onCancel;

    private volatile Runnable task;
    private volatile Executor executor;
    /** The thread blocked in get/join that accepts handed tasks, and until when it waits. */
    private volatile Thread helper;

    private volatile long helperDeadline;
    private volatile boolean helperUntimed;

    /** @param inlineBoundNanos the longest one task can take (connect plus command timeouts) */
    IoFuture(long inlineBoundNanos) {
        this.inlineBoundNanos = inlineBoundNanos;
    }

    /** Runs {@code hook} when this future is cancelled; call before handing the future out. */
    IoFuture<T> onCancel(Runnable hook) {
        this.onCancel = hook;
        return this;
    }

    /** Offers the first task to the executor; a blocking caller may take it first. */
    IoFuture<T> start(Executor executor, Runnable work) {
        return start(executor, work, false);
    }

    /**
     * Like {@link #start(Executor, Runnable)}; with {@code callerWaits} the task waits for the
     * caller's {@code get}/{@code join} instead (the caller must call one of them).
     */
    IoFuture<T> start(Executor executor, Runnable work, boolean callerWaits) {
        this.executor = executor;
        this.task = work;
        if (callerWaits) {
            return this;
        }
        try {
            executor.execute(this::runIfUnclaimed);
        } catch (RejectedExecutionException e) {
            runIfUnclaimed();
        }
        return this;
    }

    /** Runs a later task on the blocked caller if it has time for it, else on the executor. */
    void runSoon(Runnable work) {
        Thread waiting = helper;
        if (waiting != null
                && (helperUntimed || helperDeadline - System.nanoTime() >= inlineBoundNanos)
                && HANDED.compareAndSet(this, null, work)) {
            LockSupport.unpark(waiting);
            if (helper == waiting || !HANDED.compareAndSet(this, work, null)) {
                return; // the caller takes it, or already took it
            }
        }
        executor.execute(work);
    }

    private void runIfUnclaimed() {
        Runnable work = task;
        if (work != null && CLAIMED.compareAndSet(this, false, true)) {
            task = null;
            work.run();
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        runIfUnclaimed();
        help(0, false);
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (nanos >= inlineBoundNanos && !Thread.currentThread().isInterrupted()) {
            runIfUnclaimed();
        } else if (task != null) {
            try {
                executor.execute(this::runIfUnclaimed);
            } catch (RejectedExecutionException e) {
                runIfUnclaimed();
            }
        }
        long deadline = System.nanoTime() + nanos;
        if (!help(deadline, true)) {
            throw new TimeoutException();
        }
        return super.get(0, TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        runIfUnclaimed();
        try {
            help(0, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return super.join();
    }

    /**
     * Waits until done (or the deadline), running tasks handed to this thread meanwhile. Returns
     * false on timeout. Whatever is handed over while it leaves goes to the executor.
     */
    private boolean help(long deadline, boolean timed) throws InterruptedException {
        if (isDone()) {
            return true;
        }
        Thread self = Thread.currentThread();
        helperDeadline = deadline;
        helperUntimed = !timed;
        helper = self;
        try {
            while (!isDone()) {
                Runnable work = (Runnable) HANDED.getAndSet(this, (Runnable) null);
                if (work != null) {
                    work.run();
                    continue;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
            return true;
        } finally {
            helper = null;
            Runnable late = (Runnable) HANDED.getAndSet(this, (Runnable) null);
            if (late != null) {
                executor.execute(late);
            }
        }
    }

    @Override
    public boolean complete(T value) {
        boolean done = super.complete(value);
        wakeHelper();
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean done = super.completeExceptionally(failure);
        wakeHelper();
        if (done && failure instanceof CancellationException) {
            cancelled();
        }
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean done = super.cancel(mayInterruptIfRunning);
        wakeHelper();
        if (done) {
            cancelled();
        }
        return done;
    }

    private void cancelled() {
        Runnable hook = onCancel;
        if (hook != null) {
            onCancel = null;
            hook.run();
        }
    }

    private void wakeHelper() {
        Thread waiting = helper;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
