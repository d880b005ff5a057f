/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.tck.fixture.EtcdServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@code globallock exec} on a real etcd server. */
class EtcdEngineExecIT extends ExecContract {
    private static EtcdServer etcd;
    private static Client admin;
    private String namespace;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
        admin = Client.builder().endpoints(etcd.endpoint()).build();
    }

    @AfterAll
    static void stopEtcd() {
        if (admin != null) {
            admin.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    String configuration(Path directory) {
        namespace = "/it-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        return "engine: etcd\netcd:\n  endpoints: [ \"" + etcd.endpoint() + "\" ]\n  namespace: \"" + namespace
                + "\"\n";
    }

    /** Revokes the lease of every key of this test (only the lock in question is held then). */
    @Override
    void forget(String name) throws Exception {
        ByteSequence prefix = ByteSequence.from(namespace, StandardCharsets.UTF_8);
        List<KeyValue> keys = admin.getKVClient()
                .get(prefix, GetOption.builder().isPrefix(true).build())
                .get(10, TimeUnit.SECONDS)
                .getKvs();
        for (KeyValue kv : keys) {
            if (kv.getLease() != 0) {
                admin.getLeaseClient().revoke(kv.getLease()).get(10, TimeUnit.SECONDS);
            } else {
                admin.getKVClient().delete(kv.getKey()).get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    List<String> crashableHolderOptions() {
        return List.of("--lease", "2s"); // etcd's shortest lease here: the dead holder's lease expires
    }
}
