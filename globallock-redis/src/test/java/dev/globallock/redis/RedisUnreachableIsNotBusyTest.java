/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockOptions;
import dev.globallock.LockTimeoutException;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * A bounded wait against a Redis that cannot be reached ends within the wait as a {@link
 * LockBackendException} naming the engine, the endpoint and the lock, never as a busy lock ({@link
 * LockTimeoutException}). The client's own timeouts (2 s connect, 2 s command) are longer than the
 * 500 ms wait, so the wait ends first.
 */
@DisplayName("redis engine: a bounded wait on an unreachable server is a backend failure, not a busy lock")
class RedisUnreachableIsNotBusyTest {
    private static final Duration WAIT = Duration.ofMillis(500);
    private static final LockOptions BOUNDED =
            LockOptions.builder().waitTime(WAIT).build();
    /** The wait plus what the manager and a loaded machine may add. */
    private static final Duration BOUND = WAIT.plusMillis(700);

    @Test
    @DisplayName("a closed port")
    void closedPort() {
        assertUnreachable("redis://127.0.0.1:" + FreePorts.next());
    }

    @Test
    @DisplayName("a port that accepts connections and never answers")
    void silentPort() throws IOException {
        try (FakeServer silent = new FakeServer(socket -> {})) {
            // the first connection is still waiting for the server's reply, or (later calls) it timed out
            assertUnreachable(silent.uri())
                    .hasMessageContaining("could not be reached")
                    .hasMessageMatching("(?s).*(does not answer like a Redis server|Read timed out).*");
        }
    }

    @Test
    @DisplayName("a port that speaks another protocol")
    void otherProtocol() throws IOException {
        try (FakeServer http = new FakeServer(socket -> {
            try {
                InputStream in = socket.getInputStream();
                in.read(new byte[512]);
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the client went away
            }
        })) {
            assertUnreachable(http.uri());
        }
    }

    @Test
    @DisplayName("a server that dies while the lock is waited for, and a busy lock once it is back")
    void serverDiesDuringTheWait() throws Exception {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager holder = manager(own.uri());
                GlobalLockManager waiter = manager(own.uri())) {
            holder.lock("dies");
            var waiting = waiter.lockAsync(
                    "dies",
                    LockOptions.builder().waitTime(Duration.ofSeconds(1)).build());
            String channel = LockKeys.of("unreachable:dies").channel;
            try (RedisClient admin = RedisClient.create(own.host(), own.port())) {
                Await.until(
                        Duration.ofSeconds(5),
                        () -> ((java.util.List<?>) admin.sendCommand(
                                        redis.clients.jedis.Protocol.Command.PUBSUB, "NUMSUB", channel))
                                .get(1)
                                .equals(1L),
                        () -> "the waiter to find the lock taken and wait for its release");
            }
            own.process().kill();
            long start = System.nanoTime();
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("lock 'dies' was not acquired within 1s")
                    .hasMessageContaining("engine 'redis' at " + own.uri() + " could not be reached");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

            own.process().restart();
            try (GlobalLockManager again = manager(own.uri())) {
                again.lock("dies");
                // the waiter's engine gets answers again (its first call may meet a connection the restart broke)
                Await.until(
                        Duration.ofSeconds(5),
                        () -> !waiter.tryLock("dies").isLocked(),
                        () -> "the waiter's engine to reach the server again");
                // the failures seen before are over: a busy lock is busy again
                assertThatThrownBy(() -> waiter.lock("dies", BOUNDED))
                        .isInstanceOf(LockTimeoutException.class)
                        .hasMessage("lock 'dies' was not acquired within 500ms");
            }
        }
    }

    @Test
    @DisplayName("a busy lock on a reachable server is still a timeout")
    void busyIsStillATimeout() {
        try (RedisServer own = RedisServer.start();
                GlobalLockManager holder = manager(own.uri());
                GlobalLockManager waiter = manager(own.uri())) {
            holder.lock("busy");
            assertThatThrownBy(() -> waiter.lock("busy", BOUNDED))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessage("lock 'busy' was not acquired within 500ms");
            assertThat(waiter.tryLock("busy", BOUNDED).isLocked()).isFalse();
        }
    }

    /** lock, tryLock and lockAsync with a 500 ms wait each end within the bound with a backend failure. */
    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertUnreachable(String uri) {
        try (GlobalLockManager locks = manager(uri)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.tryLock("nowhere", BOUNDED)).isInstanceOf(LockBackendException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);

            start = System.nanoTime();
            assertThatThrownBy(() -> locks.lockAsync("nowhere", BOUNDED).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining(uri);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);

            start = System.nanoTime();
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> locks.lock("nowhere", BOUNDED));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
            return assertThat(thrown)
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("engine 'redis'")
                    .hasMessageContaining(uri)
                    .hasMessageContaining("lock 'nowhere'");
        }
    }

    private static GlobalLockManager manager(String uri) {
        return GlobalLockManager.builder()
                .config(Map.of("engine", "redis", "key-prefix", "unreachable:", "redis", Map.of("nodes", List.of(uri))))
                .build();
    }

    /** A loopback port that accepts connections and hands each to {@code handler}; keeps them open until closed. */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        FakeServer(Consumer<Socket> handler) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(
                    () -> {
                        while (!socket.isClosed()) {
                            try {
                                Socket client = socket.accept();
                                accepted.add(client);
                                handler.accept(client);
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "fake-server-" + socket.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String uri() {
            return "redis://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket client : accepted) {
                client.close();
            }
        }
    }
}
