package dev.globallock.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A future whose first piece of blocking I/O is handed to the engine's I/O executor, but which a
 * caller that blocks on it anyway ({@link #get()}, {@link #join()}, or {@link #get(long, TimeUnit)}
 * with a bound no shorter than one command can take) runs on its own thread instead: whoever claims
 * the task first runs it, exactly once. This saves two thread hand-offs on the common blocking
 * path without ever blocking a caller that did not ask to wait. Dependent stages are plain
 * {@link CompletableFuture}s.
 */
final class IoFuture<T> extends CompletableFuture<T> {
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final long inlineBoundNanos;
    private volatile Runnable task;

    /** @param inlineBoundNanos the longest the task can take (connect plus command timeouts) */
    IoFuture(long inlineBoundNanos) {
        this.inlineBoundNanos = inlineBoundNanos;
    }

    /** Offers the task to the executor; a blocking caller may take it first. */
    IoFuture<T> start(Executor executor, Runnable work) {
        this.task = work;
        try {
            executor.execute(this::runIfUnclaimed);
        } catch (RejectedExecutionException e) {
            runIfUnclaimed();
        }
        return this;
    }

    private void runIfUnclaimed() {
        Runnable work = task;
        if (work != null && claimed.compareAndSet(false, true)) {
            task = null;
            work.run();
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        runIfUnclaimed();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (unit.toNanos(timeout) >= inlineBoundNanos && !Thread.currentThread().isInterrupted()) {
            runIfUnclaimed();
        }
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        runIfUnclaimed();
        return super.join();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
