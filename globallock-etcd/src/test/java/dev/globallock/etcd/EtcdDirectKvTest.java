/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.options.GetOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The direct path of the hot requests ({@link EtcdDirectKv}): it sends what jetcd would send, and
 * the engine takes it only with the client it builds itself.
 */
@DisplayName("etcd engine: the direct path of the acquire transaction and the release delete")
class EtcdDirectKvTest extends EtcdServerPerClass {

    @Test
    @DisplayName("the direct acquire transaction is the very request jetcd's Txn builder sends")
    void sameRequestAsJetcd() throws Exception {
        List<TxnRequest> sent = new CopyOnWriteArrayList<>();
        Client client = Client.builder()
                .endpoints(etcd.endpoint())
                .interceptor(new RecordingTxns(sent))
                .build();
        open.add(client::close);
        GlobalLockManager manager = GlobalLockManager.builder()
                .engine(EtcdLockEngine.open(EtcdEngineConfig.builder()
                        .client(client)
                        .namespace("/direct/")
                        .build()))
                .build();
        open.add(manager::close);

        manager.lock("same/request").release();

        assertThat(sent).hasSize(1);
        TxnRequest jetcds = sent.get(0);
        ByteSequence key = ByteSequence.from(jetcds.getCompare(0).getKey());
        long lease = jetcds.getSuccess(0).getRequestPut().getLease();
        ByteSequence directory = EtcdKeys.lockPrefix("/direct/", "same/request");
        assertThat(key.startsWith(directory)).isTrue();
        assertThat(lease).isNotZero();
        assertThat(EtcdDirectKv.acquireRequest(key, lease, directory, EtcdAcquireTxn.NEWEST_KEYS_LIMIT))
                .isEqualTo(jetcds);
    }

    @Test
    @DisplayName("with its own client every acquire Txn and release delete goes direct, blocking or asynchronous")
    void ownClientGoesDirect() throws Exception {
        EtcdLockEngine engine = EtcdLockEngine.open(EtcdEngineConfig.builder()
                .endpoints(etcd.endpoint())
                .namespace("/direct/")
                .build());
        GlobalLockManager manager = GlobalLockManager.builder().engine(engine).build();
        open.add(manager::close);

        manager.lock("blocking").release(); // the session lease's grant teaches the path its channel
        assertThat(engine.directRequestsSent()).isEqualTo(2);
        LockHandle held = manager.lock("blocking");
        assertThat(engine.directRequestsSent()).isEqualTo(3);
        held.release();
        assertThat(engine.directRequestsSent()).isEqualTo(4);

        LockHandle async = manager.lockAsync("async", LockOptions.defaults()).get(10, TimeUnit.SECONDS);
        assertThat(engine.directRequestsSent()).isEqualTo(5);
        async.release();
        assertThat(engine.directRequestsSent()).isEqualTo(6);

        // the direct answers are real: the locks went round the server and are free again
        try (LockHandle again = manager.tryLock(
                "blocking", LockOptions.builder().waitTime(Duration.ZERO).build())) {
            assertThat(again.isLocked()).isTrue();
        }
        assertThat(admin.getKVClient()
                        .get(
                                EtcdKeys.lockPrefix("/direct/", "async"),
                                GetOption.builder().isPrefix(true).build())
                        .get(10, TimeUnit.SECONDS)
                        .getCount())
                .isZero();
    }

    @Test
    @DisplayName("an application's client is used as given: no direct path")
    void applicationClientHasNoDirectPath() {
        Client client = Client.builder().endpoints(etcd.endpoint()).build();
        open.add(client::close);
        EtcdLockEngine engine = EtcdLockEngine.open(
                EtcdEngineConfig.builder().client(client).namespace("/direct/").build());
        GlobalLockManager manager = GlobalLockManager.builder().engine(engine).build();
        open.add(manager::close);

        manager.lock("given").release();
        manager.lock("given").release();

        assertThat(engine.directRequestsSent()).isZero();
    }

    /** Records every Txn request a client sends. */
    private static final class RecordingTxns implements ClientInterceptor {
        private final List<TxnRequest> sent;

        RecordingTxns(List<TxnRequest> sent) {
            this.sent = sent;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void sendMessage(Q message) {
                    if (message instanceof TxnRequest) {
                        sent.add((TxnRequest) message);
                    }
                    super.sendMessage(message);
                }
            };
        }
    }
}
