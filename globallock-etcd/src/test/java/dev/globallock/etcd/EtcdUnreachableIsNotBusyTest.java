/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.MisbehavingPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A bounded wait on an etcd endpoint where no etcd answers ends as a backend failure that names
 * the engine, the endpoint and what the connection ran into, within the wait time; not as a busy
 * lock.
 */
@DisplayName("etcd engine: an unreachable etcd is not a busy lock")
class EtcdUnreachableIsNotBusyTest {
    private static final Duration WAIT = Duration.ofMillis(1500);
    /** The wait, plus scheduling on a loaded machine. */
    private static final long BOUND_MILLIS = WAIT.toMillis() + 1000;

    @Test
    @DisplayName("a closed port: connection refused")
    void closedPort() throws Exception {
        try (MisbehavingPort port = MisbehavingPort.closed()) {
            assertUnreachable(port, "connection refused");
        }
    }

    @Test
    @DisplayName("a port that accepts and never answers: no connection within the connect timeout")
    void silentPort() throws Exception {
        try (MisbehavingPort port = MisbehavingPort.silent()) {
            assertUnreachable(port, "no connection was established within the connect timeout of 500ms");
        }
    }

    @Test
    @DisplayName("a port that speaks another protocol: not etcd's protocol")
    void otherProtocol() throws Exception {
        try (MisbehavingPort port = MisbehavingPort.http()) {
            assertUnreachable(port, "the server does not speak etcd's protocol, gRPC over HTTP/2");
        }
    }

    private static void assertUnreachable(MisbehavingPort port, String reason) throws Exception {
        String endpoint = "http://" + port.hostAndPort();
        Map<String, Object> config =
                Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(endpoint), "connect-timeout", "500ms"));
        LockOptions wait = LockOptions.builder().waitTime(WAIT).build();
        try (GlobalLockManager locks = GlobalLockManager.create(config)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.lock("report", wait))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("lock 'report' was not acquired within 1500ms because engine 'etcd' at "
                            + endpoint + " could not be reached: ")
                    .hasMessageContaining(reason)
                    .satisfies(e -> System.out.println(port + ": " + e.getMessage()));
            assertThat(millisSince(start)).as("ends within the wait").isLessThan(BOUND_MILLIS);

            start = System.nanoTime();
            assertThatThrownBy(() -> locks.tryLock("report", wait))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining(reason);
            assertThat(millisSince(start)).isLessThan(BOUND_MILLIS);

            Supplier<Object> async = () -> {
                try {
                    return locks.lockAsync("report", wait).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return e;
                }
            };
            assertThat(async.get()).isInstanceOf(ExecutionException.class).satisfies(e -> assertThat(
                            ((Throwable) e).getCause())
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining(reason));
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
