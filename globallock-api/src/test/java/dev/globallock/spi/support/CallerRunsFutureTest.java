/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The caller-runs future on its own: who runs the first task, later tasks and completions. */
@Timeout(30)
class CallerRunsFutureTest {
    private final ExecutorService io = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "test-io"));
    private final ExecutorService other = Executors.newSingleThreadExecutor();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        io.shutdownNow();
        other.shutdownNow();
    }

    /** A task that records where it ran and completes the future with the thread's name. */
    private CallerRunsFuture<String> recording(CallerRunsPolicy policy) {
        CallerRunsFuture<String> future = new CallerRunsFuture<>(policy);
        return future.defer(new CallerRunsFuture.Task() {
            @Override
            public void run(boolean onCaller) {
                ran.add((onCaller ? "on caller " : "elsewhere ")
                        + Thread.currentThread().getName());
                future.complete(Thread.currentThread().getName());
            }

            @Override
            public void dispatched() {
                ran.add("dispatched");
            }
        });
    }

    @Test
    @DisplayName("a thread that blocks on it runs the first task itself; nothing reaches the executor")
    void theWaitingThreadRunsTheFirstTask() throws Exception {
        String me = Thread.currentThread().getName();
        assertThat(recording(CallerRunsPolicy.of(io)).get()).isEqualTo(me);
        assertThat(recording(CallerRunsPolicy.of(io)).get(5, TimeUnit.SECONDS)).isEqualTo(me);
        assertThat(recording(CallerRunsPolicy.of(io)).join()).isEqualTo(me);
        assertThat(ran).containsExactly("on caller " + me, "on caller " + me, "on caller " + me);
    }

    @Test
    @DisplayName("nothing runs until someone waits or dispatches")
    void deferredUntilWaitedOnOrDispatched() throws Exception {
        CallerRunsFuture<String> future = recording(CallerRunsPolicy.of(io));
        assertThat(ran).isEmpty();
        assertThat(future).isNotDone();
        CountDownLatch done = new CountDownLatch(1);
        future.whenComplete((value, failure) -> done.countDown());
        CallerRunsFuture.dispatch(future);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("dispatched", "elsewhere test-io");
    }

    @Test
    @DisplayName("dispatched twice, it runs once; a waiter that comes before the executor runs it itself")
    void whoeverComesFirstRunsIt() throws Exception {
        Queue<Runnable> queued = new ArrayDeque<>();
        Executor manual = queued::add;
        CallerRunsFuture<String> future = recording(CallerRunsPolicy.of(manual));
        future.dispatch();
        CallerRunsFuture.dispatch(future);
        assertThat(queued).hasSize(2);
        assertThat(future.get()).isEqualTo(Thread.currentThread().getName());
        queued.forEach(Runnable::run);
        assertThat(ran)
                .containsExactly(
                        "dispatched", "on caller " + Thread.currentThread().getName());
    }

    @Test
    @DisplayName("a bounded get shorter than the inline bound, or an interrupted caller, hands the task over")
    void shortBoundsAndInterruptsDoNotRunInline() throws Exception {
        CallerRunsPolicy policy = CallerRunsPolicy.of(io).inlineBound(Duration.ofSeconds(10));
        assertThat(recording(policy).get(5, TimeUnit.SECONDS)).isEqualTo("test-io");
        assertThat(recording(policy).get(20, TimeUnit.SECONDS))
                .isEqualTo(Thread.currentThread().getName());

        Queue<Runnable> queued = new ArrayDeque<>();
        CallerRunsFuture<String> interrupted = recording(CallerRunsPolicy.of(queued::add));
        Thread.currentThread().interrupt();
        assertThatThrownBy(interrupted::get).isInstanceOf(InterruptedException.class);
        assertThat(queued).as("handed to the executor").hasSize(1);
        assertThat(interrupted).isNotDone();
    }

    @Test
    @DisplayName("cancel runs a first task nobody ran (a release still happens) and the cancel hook once")
    void cancelDispatchesThePendingTask() throws Exception {
        AtomicInteger hooks = new AtomicInteger();
        CountDownLatch released = new CountDownLatch(1);
        CallerRunsFuture<Void> future =
                new CallerRunsFuture<Void>(CallerRunsPolicy.of(io)).onCancel(hooks::incrementAndGet);
        future.defer(onCaller -> released.countDown());
        assertThat(future.cancel(false)).isTrue();
        future.cancel(false);
        assertThat(released.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(hooks).hasValue(1);
    }

    @Test
    @DisplayName("a later task goes to the waiting caller if it has time for one, else to the executor")
    void laterTasksGoToTheWaitingCallerIfItHasTime() throws Exception {
        String me = Thread.currentThread().getName();
        CallerRunsPolicy policy = CallerRunsPolicy.of(io).inlineBound(Duration.ofSeconds(20));
        assertThat(retriedOnceElsewhere(policy).get()).as("untimed caller").isEqualTo(me);
        assertThat(retriedOnceElsewhere(policy).get(60, TimeUnit.SECONDS))
                .as("20 s bound, 60 s wait: the caller has time")
                .isEqualTo(me);
        assertThat(retriedOnceElsewhere(policy).get(10, TimeUnit.SECONDS))
                .as("20 s bound, 10 s wait: the executor runs both")
                .isEqualTo("test-io");
    }

    /** A first task that only starts a wait; another thread then sends the retry that completes it. */
    private CallerRunsFuture<String> retriedOnceElsewhere(CallerRunsPolicy policy) {
        CallerRunsFuture<String> future = new CallerRunsFuture<>(policy);
        return future.defer(onCaller -> other.execute(() ->
                future.runSoon(() -> future.complete(Thread.currentThread().getName()))));
    }

    @Test
    @DisplayName("deliver completes on the waiting caller, else on the completion executor, never on the event thread")
    void deliverNeverRunsDependentsOnTheEventThread() throws Exception {
        CallerRunsPolicy policy =
                CallerRunsPolicy.of(CallerRunsPolicy.callingThread()).deliverOn(io);
        ExecutorService eventThread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "event"));
        try {
            CallerRunsFuture<String> waited = new CallerRunsFuture<>(policy);
            AtomicReference<String> dependentRanOn = new AtomicReference<>();
            waited.whenComplete((value, failure) ->
                    dependentRanOn.set(Thread.currentThread().getName()));
            waited.defer(onCaller -> eventThread.execute(() -> waited.deliver("granted")));
            assertThat(waited.get(5, TimeUnit.SECONDS)).isEqualTo("granted");
            assertThat(dependentRanOn.get()).isEqualTo(Thread.currentThread().getName());

            CallerRunsFuture<String> async = new CallerRunsFuture<>(policy);
            CountDownLatch done = new CountDownLatch(1);
            async.whenComplete((value, failure) -> {
                dependentRanOn.set(Thread.currentThread().getName());
                done.countDown();
            });
            async.defer(onCaller -> eventThread.execute(() -> async.deliver("granted")));
            CallerRunsFuture.dispatch(async); // nobody blocks on it
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(dependentRanOn.get()).isEqualTo("test-io");
        } finally {
            eventThread.shutdownNow();
        }
    }

    @Test
    @DisplayName("a value delivered after a cancel goes to ifUnwanted (a grant nobody took is released)")
    void unwantedValues() {
        CallerRunsFuture<String> future =
                new CallerRunsFuture<>(CallerRunsPolicy.of(io).deliverOn(CallbackPool.shared()));
        future.cancel(false);
        List<String> unwanted = new CopyOnWriteArrayList<>();
        future.deliver("late grant", unwanted::add);
        assertThat(unwanted).containsExactly("late grant");
    }

    @Test
    @DisplayName("a decorator's derived future runs the pending task when waited on, and forwards dispatch")
    void derivedFuturesCannotStrandTheTask() throws Exception {
        String me = Thread.currentThread().getName();
        CompletableFuture<String> applied = recording(CallerRunsPolicy.of(io)).thenApply(name -> name + "!");
        assertThat(applied.get(5, TimeUnit.SECONDS)).isEqualTo(me + "!");

        Queue<Runnable> queued = new ArrayDeque<>();
        CompletableFuture<String> watched =
                recording(CallerRunsPolicy.of(queued::add)).whenComplete((v, f) -> {});
        CallerRunsFuture.dispatch(watched);
        assertThat(queued).as("dispatched through the derived future").hasSize(1);
        queued.poll().run();
        assertThat(watched.get(5, TimeUnit.SECONDS)).isEqualTo(me);
        assertThat(ran).contains("dispatched", "elsewhere " + me);

        // thenCompose on something else, returning the engine's future: nobody could wait on that one
        CompletableFuture<String> composed =
                CompletableFuture.completedFuture("x").thenCompose(x -> recording(CallerRunsPolicy.of(io)));
        assertThat(composed.get(5, TimeUnit.SECONDS)).isEqualTo("test-io");

        CompletableFuture<String> joined = recording(CallerRunsPolicy.of(io)).thenApply(String::trim);
        assertThat(joined.join()).isEqualTo(me);
    }

    @Test
    @DisplayName("with interruptAtDeadline a blocking inline task is interrupted at the bound; the flag is cleared")
    void inlineTasksAreInterruptedAtTheDeadline() {
        CallerRunsFuture<String> future =
                new CallerRunsFuture<>(CallerRunsPolicy.of(io).interruptAtDeadline());
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        future.defer(onCaller -> {
            try {
                new CountDownLatch(1).await(); // a blocking call that only an interrupt ends
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> future.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        assertThat(interrupted.get()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    @DisplayName("join waits through an interrupt and sets the flag again")
    void joinKeepsTheInterrupt() {
        CallerRunsFuture<String> future = new CallerRunsFuture<>(CallerRunsPolicy.of(io));
        future.defer(onCaller -> other.execute(() -> future.complete("done")));
        Thread.currentThread().interrupt();
        assertThat(future.join()).isEqualTo("done");
        assertThat(Thread.interrupted()).isTrue();
    }
}
