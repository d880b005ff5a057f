/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.tck.fixture.EtcdServer;
import io.etcd.jetcd.Client;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real etcd server per test class, an admin client to it for looking behind the engine's back,
 * and closing, newest first, whatever a test registered in {@link #open}. Test classes run one at a
 * time (no parallel execution is configured), so the static fields belong to the running class.
 */
abstract class EtcdServerPerClass {
    static EtcdServer etcd;
    static Client admin;
    /** Closed after each test, newest first: managers before the clients they use. */
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        etcd = EtcdServer.start();
        admin = Client.builder().endpoints(etcd.endpoint()).build();
    }

    @AfterAll
    static void stopServer() {
        admin.close();
        etcd.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }
}
