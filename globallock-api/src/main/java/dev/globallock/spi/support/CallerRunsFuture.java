/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A future whose work runs on the thread that waits for it: an engine's blocking I/O runs inside
 * the caller's {@code get} rather than on an I/O thread that then has to wake the caller, which
 * saves the thread hand-offs of the uncontended path. Nobody is ever made to wait who did not ask
 * to: work nobody waits for goes to the engine's executor.
 *
 * <h2>The first task</h2>
 *
 * The engine returns the future with its first task {@linkplain #defer deferred}: it runs once,
 * on whichever comes first:
 *
 * <ul>
 *   <li>a thread that blocks on the future ({@link #get()}, {@link #get(long, TimeUnit)}, {@link
 *       #join()}, also through a future {@linkplain #newIncompleteFuture derived} from it) runs it
 *       inline, with {@code onCaller} true. A bounded {@code get} shorter than the policy's {@link
 *       CallerRunsPolicy#inlineBound inline bound}, or one whose thread is interrupted, hands it to the
 *       executor instead;
 *   <li>{@link #dispatch(Future)}: whoever does not wait (the manager's {@code lockAsync}, an
 *       asynchronous release, the watchdog, closing) hands it to the executor, where it runs with
 *       {@code onCaller} false; a waiter that comes before the executor does still runs it;
 *   <li>{@link #cancel}: a task nobody ran yet is dispatched (a release still happens; an
 *       acquisition sees that its future is done).
 * </ul>
 *
 * So the protocol needs no hint from the caller: a manager that blocks simply blocks, one that does
 * not dispatches. A decorator cannot break it: a future derived from this one (a {@code thenApply},
 * {@code whenComplete}, {@code thenCompose}...) runs the pending task when it is waited on and
 * forwards {@link #dispatch(Future)}, and {@link #toCompletableFuture()} (what {@code thenCompose}
 * calls on the stage it composes) dispatches, since its caller will not wait on this future itself.
 *
 * <h2>Later tasks and completions</h2>
 *
 * A later task of the same operation ({@link #runSoon}, such as a waiter's retry after a release
 * message) is handed to the thread blocked on the future if it has time for it, else to the
 * executor. An engine whose futures are completed on a client library's event thread, where the
 * application's dependent stages must never run, completes them with {@link #deliver}: the outcome
 * is handed to the waiting caller, which completes the future on its own thread, or, with nobody
 * waiting, completed on the policy's {@linkplain CallerRunsPolicy#deliverOn completion executor}. {@link
 * #complete} and {@link #completeExceptionally} complete on the calling thread, as usual.
 *
 * <p>Thread-safe. The first task runs exactly once; {@link #onCancel} runs at most once.
 *
 * @param <T> the result type
 */
public final class CallerRunsFuture<T> extends CompletableFuture<T> {
    private static final VarHandle FIRST;
    private static final VarHandle HANDED;
    private static final VarHandle HELPER;
    private static final VarHandle DISPATCHED;
    private static final VarHandle ON_CANCEL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FIRST = lookup.findVarHandle(CallerRunsFuture.class, "first", Task.class);
            HANDED = lookup.findVarHandle(CallerRunsFuture.class, "handed", Object.class);
            HELPER = lookup.findVarHandle(CallerRunsFuture.class, "helper", Thread.class);
            DISPATCHED = lookup.findVarHandle(CallerRunsFuture.class, "dispatched", boolean.class);
            ON_CANCEL = lookup.findVarHandle(CallerRunsFuture.class, "onCancel", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The engine's first task of an operation. */
    @FunctionalInterface
    public interface Task {
        /**
         * Runs the task.
         *
         * @param onCaller true on a thread that blocks on the future: blocking calls are allowed
         *     (bounded as the policy says); an interrupt means give up blocking and go on
         *     asynchronously. False on the executor, or on a dispatching or cancelling thread.
         */
        void run(boolean onCaller);

        /**
         * Called once, on the dispatching thread, before the task is handed to the executor: the
         * task may now sit in the executor's queue (for example, register it where the engine's
         * shutdown finds it). Not called when a waiting caller takes the task first. Empty by default.
         */
        default void dispatched() {}
    }

    /** The first task until claimed; claimed by setting it to null. */
    @SuppressWarnings("unused") // through FIRST
    private volatile Task first;
    /** A later task (a Runnable) or an outcome handed to the waiting caller. */
    @SuppressWarnings("unused") // through HANDED
    private volatile Object handed;
    /** The thread blocked on this future (or a derived one) that accepts handed work. */
    private volatile Thread helper;
    /** Until when the helper waits, unless {@link #helperUntimed}; read by {@link #runSoon}. */
    private volatile long helperDeadline;

    private volatile boolean helperUntimed;

    @SuppressWarnings("unused") // through DISPATCHED
    private volatile boolean dispatched;

    @SuppressWarnings("unused") // through ON_CANCEL
    private volatile Runnable onCancel;

    private final CallerRunsPolicy policy;
    /** Null for an engine's future; for a derived future, the engine's future it derives from. */
    private final CallerRunsFuture<?> source;

    /** An incomplete future under the engine's policy; give it its first task with {@link #defer}. */
    public CallerRunsFuture(CallerRunsPolicy policy) {
        this(Objects.requireNonNull(policy, "policy"), null);
    }

    private CallerRunsFuture(CallerRunsPolicy policy, CallerRunsFuture<?> source) {
        this.policy = policy;
        this.source = source;
    }

    /**
     * Sets the first task, deferred until a thread waits for the future or someone dispatches it;
     * call once, before handing the future out.
     */
    public CallerRunsFuture<T> defer(Task task) {
        Objects.requireNonNull(task, "task");
        if (source != null || !FIRST.compareAndSet(this, null, task)) {
            throw new IllegalStateException(
                    source != null ? "a derived future runs its source's task" : "the first task was already set");
        }
        return this;
    }

    /** Runs {@code hook} once when this future is cancelled; call before handing the future out. */
    public CallerRunsFuture<T> onCancel(Runnable hook) {
        this.onCancel = Objects.requireNonNull(hook, "hook");
        return this;
    }

    /**
     * Hands the first task to the executor unless someone took it (a no-op for futures that are no
     * {@code CallerRunsFuture}); a waiter that comes before the executor still runs it. Whoever
     * gets an engine's future and will not block on it must call this, or the work may never start.
     *
     * @return {@code future}
     */
    public static <F extends Future<?>> F dispatch(F future) {
        if (future instanceof CallerRunsFuture) {
            ((CallerRunsFuture<?>) future).engineFuture().dispatchFirst();
        }
        return future;
    }

    /** {@link #dispatch(Future)} on this future; returns it. */
    public CallerRunsFuture<T> dispatch() {
        engineFuture().dispatchFirst();
        return this;
    }

    /**
     * Runs a later task of this operation on the thread blocked on the future if it has time for
     * one task (the policy's inline bound), else on the executor.
     *
     * @throws RejectedExecutionException when the executor refuses it
     */
    public void runSoon(Runnable task) {
        Objects.requireNonNull(task, "task");
        CallerRunsFuture<?> engineFuture = engineFuture();
        Thread waiting = engineFuture.helper;
        if (waiting != null
                && (engineFuture.helperUntimed
                        || engineFuture.helperDeadline - System.nanoTime() >= policy.inlineBoundNanos)
                && HANDED.compareAndSet(engineFuture, null, task)) {
            LockSupport.unpark(waiting);
            if (engineFuture.helper == waiting || !HANDED.compareAndSet(engineFuture, task, null)) {
                return; // the caller takes it, or already took it
            }
        }
        policy.executor.execute(task);
    }

    /**
     * Completes the future with {@code value} where its dependents may run: on the thread blocked on
     * it (handed over, or here when this is that thread), else on the policy's completion executor
     * (here, when the policy has none). When the future was completed before (cancelled), {@code
     * ifUnwanted} gets the value, for example to release a grant nobody took. Call from an event
     * thread of the client library instead of {@link #complete}.
     */
    public void deliver(T value, Consumer<? super T> ifUnwanted) {
        deliverOutcome(new Outcome(value, null, ifUnwanted));
    }

    /** {@link #deliver(Object, Consumer)} for a value nothing needs to be done with if unwanted. */
    public void deliver(T value) {
        deliverOutcome(new Outcome(value, null, null));
    }

    /** {@link #deliver(Object, Consumer)} for a failure. */
    public void deliverFailure(Throwable failure) {
        deliverOutcome(new Outcome(null, Objects.requireNonNull(failure, "failure"), null));
    }

    // ------------------------------------------------------------------------------ waiting

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            engineFuture().help(0, false, true);
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        long deadline = System.nanoTime() + nanos;
        if (!isDone() && !engineFuture().help(deadline, true, nanos >= policy.inlineBoundNanos && nanos > 0)) {
            throw new TimeoutException();
        }
        return super.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** Waits without giving up on an interrupt, whose flag it sets again afterwards. */
    @Override
    public T join() {
        if (!isDone()) {
            boolean interrupted = false;
            while (true) {
                try {
                    engineFuture().help(0, false, !interrupted);
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

    /**
     * Called on the engine's future: runs the first task on this thread if nobody has (and {@code
     * inline}), then waits until the engine's future is done, running the tasks and applying the
     * outcomes handed to this thread meanwhile. False on timeout. What is handed over while it
     * leaves goes to the executor (a task) or is applied here (an outcome). A second thread waiting
     * at the same time only claims the first task: it then waits the ordinary way.
     */
    private boolean help(long deadline, boolean timed, boolean inline) throws InterruptedException {
        Thread self = Thread.currentThread();
        boolean helping = helper == null && HELPER.compareAndSet(this, null, self);
        if (helping) {
            helperDeadline = deadline;
            helperUntimed = !timed;
        }
        try {
            if (first != null) {
                if (inline && !self.isInterrupted()) {
                    runFirst(true, timed, deadline);
                } else {
                    dispatchFirst();
                }
            }
            if (!helping) {
                return true; // the caller's super.get waits
            }
            while (!isDone()) {
                Object work = HANDED.getAndSet(this, null);
                if (work != null) {
                    take(work);
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
            if (helping) {
                helperUntimed = false; // a stale value must never claim time the next helper lacks
                helper = null;
                Object late = HANDED.getAndSet(this, null);
                if (late instanceof Outcome) {
                    apply((Outcome) late);
                } else if (late != null) {
                    policy.executor.execute((Runnable) late);
                }
            }
        }
    }

    private void take(Object work) {
        if (work instanceof Outcome) {
            apply((Outcome) work);
        } else {
            ((Runnable) work).run();
        }
    }

    /** Runs the first task here if nobody has claimed it. */
    private void runFirst(boolean onCaller, boolean timed, long deadline) {
        Task task = first;
        if (task == null || !FIRST.compareAndSet(this, task, null)) {
            return;
        }
        if (onCaller && timed && policy.interruptAtDeadline) {
            DeadlineInterrupts.Armed armed = DeadlineInterrupts.arm(deadline);
            try {
                task.run(true);
            } finally {
                armed.disarm();
            }
        } else {
            task.run(onCaller);
        }
    }

    private void dispatchFirst() {
        if (first == null) {
            return;
        }
        if (DISPATCHED.compareAndSet(this, false, true)) {
            Task task = first;
            if (task != null) {
                task.dispatched();
            }
        }
        try {
            policy.executor.execute(this::runDispatched);
        } catch (RejectedExecutionException e) {
            runDispatched(); // the engine is closing: the task finds out here
        }
    }

    private void runDispatched() {
        runFirst(false, false, 0);
    }

    // ------------------------------------------------------------------------------ completing

    private void deliverOutcome(Outcome outcome) {
        Thread waiting = helper;
        if (waiting == Thread.currentThread() || policy.completions == null || isDone()) {
            apply(outcome);
            return;
        }
        if (waiting != null && !isDone() && HANDED.compareAndSet(this, null, outcome)) {
            LockSupport.unpark(waiting);
            if (helper == waiting || !HANDED.compareAndSet(this, outcome, null)) {
                return; // the caller applies it, or already did
            }
        }
        try {
            policy.completions.execute(() -> apply(outcome));
        } catch (RejectedExecutionException e) {
            apply(outcome);
        }
    }

    private void apply(Outcome outcome) {
        @SuppressWarnings("unchecked")
        T value = (T) outcome.value;
        boolean applied = outcome.failure == null ? complete(value) : completeExceptionally(outcome.failure);
        if (!applied && outcome.failure == null && value != null && outcome.ifUnwanted != null) {
            @SuppressWarnings("unchecked")
            Consumer<Object> unwanted = (Consumer<Object>) outcome.ifUnwanted;
            unwanted.accept(value);
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

    /** Cancels; a first task nobody ran yet is dispatched (it sees the future is done). */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean done = super.cancel(mayInterruptIfRunning);
        wakeHelper();
        if (done) {
            cancelled();
        }
        engineFuture().dispatchFirst();
        return done;
    }

    private void cancelled() {
        Runnable hook = onCancel;
        if (hook != null && ON_CANCEL.compareAndSet(this, hook, null)) {
            hook.run();
        }
    }

    private void wakeHelper() {
        Thread waiting = helper;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    // ------------------------------------------------------------------------------ derived futures

    /**
     * A future derived from this one (what {@code thenApply}, {@code whenComplete}... return): waiting
     * on it runs this future's pending task, and {@link #dispatch(Future)} on it dispatches that task.
     */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CallerRunsFuture<>(policy, engineFuture());
    }

    /**
     * This future, its first task dispatched: whoever asks for the future as a {@code
     * CompletableFuture} to compose it ({@code thenCompose}, {@code thenCombine}) will not block on
     * this future itself.
     */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        engineFuture().dispatchFirst();
        return this;
    }

    private CallerRunsFuture<?> engineFuture() {
        return source == null ? this : source;
    }

    @Override
    public String toString() {
        String state = super.toString();
        return "CallerRunsFuture" + state.substring(state.indexOf('[')) + (first != null ? "[first task pending]" : "");
    }

    /** A value or failure handed to the waiting caller, and what to do with a value nobody took. */
    private static final class Outcome {
        final Object value;
        final Throwable failure;
        final Consumer<?> ifUnwanted;

        Outcome(Object value, Throwable failure, Consumer<?> ifUnwanted) {
            this.value = value;
            this.failure = failure;
            this.ifUnwanted = ifUnwanted;
        }
    }
}
