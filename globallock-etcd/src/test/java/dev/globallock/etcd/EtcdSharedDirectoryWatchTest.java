/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static dev.globallock.etcd.EtcdTesting.awaitSettled;
import static dev.globallock.etcd.EtcdTesting.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.Await;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An engine's waiters on one lock share one watch of its directory. A waiter that joins while that
 * watch is open takes the keys ahead of it from its own acquire transaction and the deletions since
 * from the watch's buffer: no watch of its own, no read. The deletion can reach the watch before the
 * transaction's answer reaches the waiter (different streams): these tests put releases exactly
 * there.
 */
@DisplayName("etcd engine: the shared directory watch")
class EtcdSharedDirectoryWatchTest extends EtcdServerPerClass {
    private static final String NAMESPACE = "/sdw/";
    private static final Duration BOUND = Duration.ofSeconds(20);

    private EtcdLockEngine engine;

    private GlobalLockManager manager(ClientInterceptor... interceptors) {
        Client client = Client.builder()
                .endpoints(etcd.endpoint())
                .interceptors(List.of(interceptors))
                .build();
        open.add(client::close);
        engine = EtcdLockEngine.open(
                EtcdEngineConfig.builder().client(client).namespace(NAMESPACE).build());
        GlobalLockManager manager = GlobalLockManager.builder().engine(engine).build();
        open.add(manager::close);
        return manager;
    }

    @Test
    @DisplayName("a release between a joining waiter's transaction and its registration is replayed: no watch, no read")
    void releaseBeforeTheJoinIsReplayed() throws Exception {
        GlobalLockManager holder = manager();
        CountingCalls calls = new CountingCalls();
        AcquireReplyHook hook = new AcquireReplyHook();
        GlobalLockManager waiters = manager(calls, hook);

        LockHandle held = holder.lock("replay");
        CompletableFuture<LockHandle> first = waitFor(waiters, "replay");
        awaitSettled(calls, "the first waiter", BOUND);
        AtomicBoolean releasedInBetween = new AtomicBoolean();
        hook.arm(() -> {
            // the holder's key is in the second waiter's answer, which it has not seen yet
            held.release();
            // the shared watch saw the deletion: it granted the first waiter
            Await.until(BOUND, first::isDone, () -> "the first waiter is handed the lock");
            releasedInBetween.set(true);
        });
        calls.reset();

        CompletableFuture<LockHandle> second = waitFor(waiters, "replay");
        LockHandle firstHolds = first.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        Await.until(BOUND, releasedInBetween::get, () -> "the hook released the holder");
        Await.holdsFor(
                Duration.ofMillis(300),
                () -> !second.isDone() && firstHolds.isLocked(),
                () -> "the second waiter waits while the first holds");

        assertThat(calls.snapshot())
                .as("the second waiter's requests while it queues: its acquire transaction only")
                .containsEntry("Txn", 1)
                .doesNotContainKey("Watch")
                .doesNotContainKey("Range");

        firstHolds.release();
        LockHandle secondHolds = second.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(secondHolds.fencingToken()).isGreaterThan(firstHolds.fencingToken());
        secondHolds.release();
    }

    @Test
    @DisplayName("more deletions in between than the buffer keeps: the joining waiter reads its place once")
    void overflowFallsBackToARead() throws Exception {
        GlobalLockManager holder = manager();
        CountingCalls calls = new CountingCalls();
        AcquireReplyHook hook = new AcquireReplyHook();
        GlobalLockManager waiters = manager(calls, hook);

        LockHandle held = holder.lock("overflow");
        CompletableFuture<LockHandle> first = waitFor(waiters, "overflow");
        awaitSettled(calls, "the first waiter", BOUND);
        ByteSequence directory = EtcdKeys.lockPrefix(NAMESPACE, "overflow");
        AtomicReference<Throwable> hookFailure = new AtomicReference<>();
        EtcdLockEngine waitersEngine = engine;
        hook.arm(() -> {
            held.release();
            Await.until(BOUND, first::isDone, () -> "the first waiter is handed the lock");
            try {
                // keys created after the second waiter's, so ahead of nobody, and deleted again: the
                // holder's deletion, which the second waiter must see, drops out of the buffer
                long last = 0;
                for (int i = 0; i < EtcdDirectoryWatch.RECENT_DELETIONS + 8; i++) {
                    ByteSequence key = directory.concat(EtcdKeys.bytes("zz-" + i));
                    admin.getKVClient().put(key, ByteSequence.EMPTY).get(10, TimeUnit.SECONDS);
                    last = admin.getKVClient()
                            .delete(key)
                            .get(10, TimeUnit.SECONDS)
                            .getHeader()
                            .getRevision();
                }
                long flooded = last;
                Await.until(
                        BOUND,
                        () -> waitersEngine
                                        .openDirectoryWatch(directory)
                                        .map(EtcdDirectoryWatch::newestDeletion)
                                        .orElse(0L)
                                >= flooded,
                        () -> "the shared watch saw every deletion");
            } catch (Exception e) {
                hookFailure.set(e);
            }
        });
        calls.reset();

        CompletableFuture<LockHandle> second = waitFor(waiters, "overflow");
        LockHandle firstHolds = first.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        Await.until(
                BOUND, () -> calls.count("Txn") >= 2, () -> "the second waiter reads its place: " + calls.snapshot());
        assertThat(hookFailure.get()).isNull();
        Await.holdsFor(
                Duration.ofMillis(300),
                () -> !second.isDone() && firstHolds.isLocked(),
                () -> "the second waiter waits while the first holds");

        assertThat(calls.snapshot())
                .as("the second waiter's requests while it queues: its acquire transaction and one read, no watch")
                .containsEntry("Txn", 2)
                .doesNotContainKey("Watch");

        firstHolds.release();
        LockHandle secondHolds = second.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(secondHolds.fencingToken()).isGreaterThan(firstHolds.fencingToken());
        secondHolds.release();
    }

    @Test
    @DisplayName("waiters of one engine share one watch, and a waiter soon after the last one left reuses it")
    void oneWatchPerLock() throws Exception {
        GlobalLockManager holder = manager();
        CountingCalls calls = new CountingCalls();
        GlobalLockManager waiters = manager(calls);

        LockHandle held = holder.lock("shared");
        List<CompletableFuture<LockHandle>> queue = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queue.add(waitFor(waiters, "shared"));
            int expected = i + 2;
            Await.until(
                    BOUND,
                    () -> keyCount("shared") == expected,
                    () -> "waiter " + expected + " queued: " + calls.snapshot());
        }
        held.release();
        long lastToken = held.fencingToken();
        for (CompletableFuture<LockHandle> waiting : queue) {
            LockHandle handle = waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(handle.fencingToken()).isGreaterThan(lastToken);
            lastToken = handle.fencingToken();
            handle.release();
        }
        // within the linger time: the next waiter of this engine joins the same watch
        LockHandle again = holder.lock("shared");
        CompletableFuture<LockHandle> late = waitFor(waiters, "shared");
        Await.until(BOUND, () -> keyCount("shared") == 2, () -> "the late waiter queued");
        again.release();
        late.get(BOUND.toSeconds(), TimeUnit.SECONDS).release();
        assertThat(calls.count("Watch"))
                .as("watches opened for five waiters of one engine on one lock: " + calls.snapshot())
                .isEqualTo(1);
    }

    private static int keyCount(String name) {
        try {
            return EtcdTesting.keysUnder(admin, NAMESPACE, name).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs a hook once, on the first answer to a transaction with a put (an acquire) after it was
     * armed, before the engine sees that answer: the answer is held back, and handed on from another
     * thread once the hook is done (jetcd's event loop, which also delivers the watch events, runs on).
     */
    private static final class AcquireReplyHook implements ClientInterceptor {
        private final AtomicReference<Runnable> armed = new AtomicReference<>();

        void arm(Runnable hook) {
            armed.set(hook);
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            ClientCall<Q, R> call = next.newCall(method, options);
            if (!"Txn".equals(method.getBareMethodName())) {
                return call;
            }
            return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(
                            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                private Runnable hook;
                                private R held;

                                @Override
                                public void onMessage(R message) {
                                    if (message instanceof TxnResponse reply
                                            && reply.getResponsesList().stream().anyMatch(r -> r.hasResponsePut())) {
                                        hook = armed.getAndSet(null);
                                        if (hook != null) {
                                            held = message;
                                            return;
                                        }
                                    }
                                    super.onMessage(message);
                                }

                                @Override
                                public void onClose(Status status, Metadata trailers) {
                                    if (hook == null) {
                                        super.onClose(status, trailers);
                                        return;
                                    }
                                    Listener<R> engine = delegate();
                                    Runnable run = hook;
                                    R answer = held;
                                    Thread later = new Thread(
                                            () -> {
                                                try {
                                                    run.run();
                                                } finally {
                                                    engine.onMessage(answer);
                                                    engine.onClose(status, trailers);
                                                }
                                            },
                                            "acquire-reply-hook");
                                    later.setDaemon(true);
                                    later.start();
                                }
                            },
                            headers);
                }
            };
        }
    }
}
