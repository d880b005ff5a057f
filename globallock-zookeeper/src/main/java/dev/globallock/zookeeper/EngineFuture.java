package dev.globallock.zookeeper;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The futures the engine hands out. The engine completes them on ZooKeeper's event thread, which
 * wakes a thread blocked in {@code get()} directly, or on the caller's own thread (below). Every
 * dependent stage registered on them runs on {@link Callbacks#POOL} unless the future is completed
 * on the thread of the caller that waits for it: a non-async {@code whenComplete}, {@code
 * thenApply}... is turned into its async form on {@link #defaultExecutor()}, so code chained by
 * the manager or the application never runs on, and never blocks, the event thread (a blocking
 * {@code release()} inside such a stage would otherwise wait for the very thread it occupies).
 *
 * <p><b>Caller runs.</b> A future made {@link #forCaller} belongs to a caller that blocks on it at
 * once (the SPI's {@code callerWaits} hint). Its {@linkplain #firstStep first step} runs on that
 * caller inside {@code get}/{@code join}, where the engine may make blocking ZooKeeper calls,
 * which the client's I/O thread answers by waking the caller directly (an asynchronous call
 * answers through the event thread: one more thread hand-over). {@code get(timeout)} bounds those
 * calls with {@link CallerDeadlines}. A step that cannot run on the caller (a cancel first, or a
 * caller already interrupted) runs with {@code onCaller} false and must then make only
 * asynchronous calls. Stages chained on such a future run inline when it completes on the caller's
 * thread, and on the pool otherwise.
 *
 * <p>Only the engine itself registers inline actions, through {@link #whenCompleteInline}, for
 * short non-blocking bookkeeping (the cancellation cleanup).
 */
final class EngineFuture<T> extends CompletableFuture<T> {

    /** The engine's first step of the work behind a caller-runs future. */
    interface Step {
        /**
         * @param onCaller true on the waiting caller's thread (blocking calls allowed; an
         *     interrupt means give up blocking and go on asynchronously), false anywhere else
         */
        void run(boolean onCaller);
    }

    private final Thread caller;
    private final Executor dependents;
    private final AtomicReference<Step> step = new AtomicReference<>();
    /** An outcome another thread hands to the caller waiting in {@link #await}. */
    private final AtomicReference<Outcome<T>> handed = new AtomicReference<>();

    private volatile boolean waiting;
    private volatile Consumer<T> unwanted;

    EngineFuture() {
        this(null);
    }

    private EngineFuture(Thread caller) {
        this.caller = caller;
        this.dependents = caller == null ? Callbacks.POOL : this::runDependent;
    }

    /** A future the calling thread is about to block on. */
    static <T> EngineFuture<T> forCaller() {
        return new EngineFuture<>(Thread.currentThread());
    }

    /** Sets the step the caller runs inside {@code get}; call before handing the future out. */
    EngineFuture<T> firstStep(Step first) {
        step.set(first);
        return this;
    }

    private void runDependent(Runnable dependent) {
        if (Thread.currentThread() == caller) {
            dependent.run();
        } else {
            Callbacks.POOL.execute(dependent);
        }
    }

    /** Runs the first step if nobody has: on the caller when it may block, else asynchronously. */
    private void runStep(boolean onCaller) {
        Step first = step.get();
        if (first != null && step.compareAndSet(first, null)) {
            first.run(onCaller
                    && Thread.currentThread() == caller
                    && !Thread.currentThread().isInterrupted());
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        runStep(true);
        if (caller != null) {
            await(0, false);
        }
        return super.get();
    }

    @Override
    public T join() {
        runStep(true);
        if (caller != null) {
            boolean interrupted = false;
            while (true) {
                try {
                    await(0, false);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return super.join();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        long deadline = System.nanoTime() + nanos;
        if (step.get() != null) {
            if (nanos <= 0 || Thread.currentThread() != caller) {
                runStep(false);
            } else {
                CallerDeadlines.Armed armed = CallerDeadlines.arm(deadline);
                boolean fired;
                try {
                    runStep(true);
                } finally {
                    fired = armed.disarm();
                }
                if (fired && !isDone()) {
                    throw new TimeoutException();
                }
            }
        }
        if (caller != null) {
            await(deadline, true); // false on timeout; an outcome applied on the way out still counts
        }
        return super.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /**
     * The caller waits here, completing the future itself with an outcome handed over by another
     * thread, so that what is chained on it runs on the caller rather than on the pool. False on
     * timeout. An outcome handed over while it leaves is applied on the way out.
     */
    private boolean await(long deadline, boolean timed) throws InterruptedException {
        if (Thread.currentThread() != caller) {
            return true; // someone else: wait the ordinary way
        }
        waiting = true;
        try {
            while (!isDone()) {
                Outcome<T> outcome = handed.getAndSet(null);
                if (outcome != null) {
                    apply(outcome);
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
            waiting = false;
            Outcome<T> late = handed.getAndSet(null);
            if (late != null) {
                apply(late);
            }
        }
    }

    private void apply(Outcome<T> outcome) {
        boolean applied =
                outcome.failure == null ? super.complete(outcome.value) : super.completeExceptionally(outcome.failure);
        if (!applied && outcome.failure == null && outcome.value != null && unwanted != null) {
            unwanted.accept(outcome.value); // cancelled meanwhile
        }
    }

    /** Where a value goes that was handed to the caller but arrived after a cancel (a grant: release it). */
    EngineFuture<T> whenUnwanted(Consumer<T> action) {
        this.unwanted = action;
        return this;
    }

    @Override
    public boolean complete(T value) {
        if (handOver(new Outcome<>(value, null))) {
            return true;
        }
        boolean completed = super.complete(value);
        wakeCaller();
        return completed;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        if (handOver(new Outcome<>(null, failure))) {
            return true;
        }
        boolean completed = super.completeExceptionally(failure);
        wakeCaller();
        return completed;
    }

    /** Hands an outcome to the caller waiting in {@link #await}; false when there is none. */
    private boolean handOver(Outcome<T> outcome) {
        Thread waiter = caller;
        if (waiter == null || Thread.currentThread() == waiter || !waiting || isDone()) {
            return false;
        }
        if (!handed.compareAndSet(null, outcome)) {
            return false;
        }
        LockSupport.unpark(waiter);
        // the caller may have left meanwhile without seeing it: then apply it here
        return waiting || !handed.compareAndSet(outcome, null) || applyHere(outcome);
    }

    private boolean applyHere(Outcome<T> outcome) {
        apply(outcome);
        wakeCaller();
        return true;
    }

    private void wakeCaller() {
        if (caller != null && waiting) {
            LockSupport.unpark(caller);
        }
    }

    private record Outcome<T>(T value, Throwable failure) {}

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        wakeCaller();
        runStep(false); // a release still happens; an acquisition sees it was cancelled
        return cancelled;
    }

    /** The engine's own, short, non-blocking completion action, run on the completing thread. */
    void whenCompleteInline(BiConsumer<? super T, ? super Throwable> action) {
        super.whenComplete(action);
    }

    @Override
    public Executor defaultExecutor() {
        return dependents;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new EngineFuture<>(); // dependents of dependents: always the pool
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return thenAcceptAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return thenRunAsync(action);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        return thenCombineAsync(other, fn);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        return thenAcceptBothAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return runAfterBothAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return applyToEitherAsync(other, fn);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return acceptEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return runAfterEitherAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return exceptionallyComposeAsync(fn);
    }
}
