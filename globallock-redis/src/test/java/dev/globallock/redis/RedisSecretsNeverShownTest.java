/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.Secret;
import dev.globallock.tck.fixture.FreePorts;
import dev.globallock.tck.fixture.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password given to the Redis engine, on any path, never shows in an exception's message, its
 * stack trace (causes and suppressed included), a {@code toString()}, or anything logged or printed
 * meanwhile. Each test searches all of them for the secret string.
 */
@DisplayName("redis engine: passwords never appear in messages, stack traces, toString or logs")
class RedisSecretsNeverShownTest {
    private static final String SECRET = "s3cret-pw";

    private static RedisServer secured;

    private final List<String> logged = new ArrayList<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private Handler capture;
    private Level rootLevel;
    private PrintStream out;
    private PrintStream err;

    @BeforeAll
    static void startServer() {
        secured =
                RedisServer.start(RedisServer.Options.builder().password(SECRET).build());
    }

    @AfterAll
    static void stopServer() {
        if (secured != null) {
            secured.close();
        }
    }

    /** Every log record of every logger, at every level, and everything printed. */
    @BeforeEach
    void captureLogs() {
        Logger root = Logger.getLogger("");
        rootLevel = root.getLevel();
        capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringWriter text = new StringWriter();
                text.append(record.getLoggerName()).append(' ').append(String.valueOf(record.getMessage()));
                if (record.getParameters() != null) {
                    for (Object parameter : record.getParameters()) {
                        text.append(' ').append(String.valueOf(parameter));
                    }
                }
                if (record.getThrown() != null) {
                    record.getThrown().printStackTrace(new PrintWriter(text));
                }
                synchronized (logged) {
                    logged.add(text.toString());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        capture.setLevel(Level.ALL);
        root.setLevel(Level.ALL);
        root.addHandler(capture);
        out = System.out;
        err = System.err;
        PrintStream both = new PrintStream(printed, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
    }

    @AfterEach
    void restoreLogs() {
        System.setOut(out);
        System.setErr(err);
        Logger root = Logger.getLogger("");
        root.removeHandler(capture);
        root.setLevel(rootLevel);
    }

    @Test
    @DisplayName("a node URI with user and password in a config map")
    void credentialsInANodeUri() {
        String uri = "redis://u:" + SECRET + "@127.0.0.1:" + secured.port();
        assertHidden(failure(() -> GlobalLockManager.create(config(Map.of("nodes", List.of(uri))))));
        assertHidden(failure(() -> GlobalLockManager.create(config(Map.of("nodes", uri)))));
        assertHidden(failure(() -> GlobalLockManager.create(config(Map.of("nodes", List.of(uri + "/0"))))));
        String badPort = "redis://u:" + SECRET + "@127.0.0.1:abc";
        assertHidden(failure(() -> GlobalLockManager.create(config(Map.of("nodes", List.of(badPort))))));
    }

    @Test
    @DisplayName("the same URI and a password in a YAML file")
    void yaml(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("globallock.yaml");
        Files.writeString(
                file,
                "engine: redis\nredis:\n  nodes: [ \"redis://u:" + SECRET + "@127.0.0.1:" + secured.port()
                        + "\" ]\n  password: " + SECRET + "\n");
        assertHidden(failure(() -> GlobalLockManager.fromYaml(file)));
        Files.writeString(
                file,
                "engine: redis\nredis:\n  nodes: [ \"redis://127.0.0.1:" + secured.port() + "\" ]\n  password: "
                        + "not-" + SECRET + "\n  passwrd: " + SECRET + "\n");
        assertHidden(failure(() -> GlobalLockManager.fromYaml(file)));
    }

    @Test
    @DisplayName("${VAR} values: a URI with credentials, and a wrong password reaching the server")
    void environmentVariables() {
        Map<String, String> environment =
                Map.of("REDIS_URI", "redis://:" + SECRET + "@127.0.0.1:" + secured.port(), "REDIS_PASSWORD", SECRET);
        assertHidden(failure(() -> GlobalLockManager.builder()
                .environment(environment::get)
                .config(config(Map.of("nodes", List.of("${REDIS_URI}"))))
                .build()));
        Map<String, String> wrong = Map.of("REDIS_PASSWORD", SECRET + "-but-wrong");
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .environment(wrong::get)
                .config(config(Map.of("nodes", List.of(secured.uri()), "password", "${REDIS_PASSWORD}")))
                .build()) {
            Throwable refused = failure(() -> locks.lock(
                    "env", LockOptions.builder().waitTime(Duration.ofSeconds(2)).build()));
            assertThat(refused).hasMessageContaining("WRONGPASS");
            assertHidden(refused);
            assertHidden(locks.toString());
        }
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .environment(environment::get)
                .config(config(Map.of("nodes", List.of(secured.uri()), "password", "${REDIS_PASSWORD}")))
                .build()) {
            try (LockHandle held = locks.lock("env")) {
                assertHidden(held.toString());
                assertHidden(locks.toString());
            }
        }
        assertHidden(logged.toString());
    }

    @Test
    @DisplayName("the builder: a URI with credentials, a password, and the engine opened with it")
    void builder() {
        assertHidden(failure(() ->
                RedisEngineConfig.builder().nodes(List.of("redis://u:" + SECRET + "@127.0.0.1:" + secured.port()))));
        RedisEngineConfig config = RedisEngineConfig.builder()
                .nodes(List.of(secured.uri()))
                .username("default")
                .password(Secret.of(SECRET))
                .build();
        assertHidden(config.toString());
        assertThat(config.toString()).contains("password=******");
        try (RedisLockEngine engine = RedisLockEngine.open(config);
                GlobalLockManager locks =
                        GlobalLockManager.builder().engine(engine).build()) {
            try (LockHandle held = locks.lock("builder")) {
                assertHidden(engine.toString());
                assertHidden(engine.describeEndpoint());
                assertHidden(locks.toString());
                assertHidden(held.toString());
            }
        }
        RedisEngineConfig wrong = RedisEngineConfig.builder()
                .nodes(List.of(secured.uri()))
                .password(Secret.of("not-" + SECRET))
                .build();
        try (GlobalLockManager locks =
                GlobalLockManager.builder().engine(RedisLockEngine.open(wrong)).build()) {
            assertHidden(failure(() -> locks.lock("builder")));
        }
    }

    @Test
    @DisplayName("Sentinel: the sentinels' password, in the wrong mode and against sentinels that cannot be reached")
    void sentinelPassword() {
        Map<String, Object> wrongMode = new LinkedHashMap<>();
        wrongMode.put("nodes", List.of(secured.uri()));
        wrongMode.put("sentinel-password", SECRET);
        wrongMode.put("sentinel-username", "watcher");
        assertHidden(failure(() -> GlobalLockManager.create(config(wrongMode))));
        Map<String, Object> sentinel = new LinkedHashMap<>();
        sentinel.put("mode", "sentinel");
        sentinel.put("master-name", "mymaster");
        sentinel.put("nodes", List.of("redis://127.0.0.1:" + FreePorts.next()));
        sentinel.put("password", SECRET);
        sentinel.put("sentinel-password", SECRET);
        sentinel.put("connect-timeout", "300ms");
        assertHidden(failure(() -> GlobalLockManager.create(config(sentinel))));
        RedisEngineConfig built = RedisEngineConfig.builder()
                .mode(RedisMode.SENTINEL)
                .nodes(List.of("redis://127.0.0.1:" + FreePorts.next()))
                .masterName("mymaster")
                .sentinelPassword(Secret.of(SECRET))
                .password(Secret.of(SECRET))
                .build();
        assertHidden(built.toString());
        assertHidden(failure(() -> RedisLockEngine.open(built)));
    }

    @Test
    @DisplayName("a password of the wrong type is not echoed")
    void passwordOfTheWrongType() {
        assertHidden(failure(() -> GlobalLockManager.create(
                config(Map.of("nodes", List.of(secured.uri()), "password", List.of(SECRET))))));
        assertHidden(failure(() -> GlobalLockManager.create(
                config(Map.of("nodes", List.of(secured.uri()), "password", Map.of("value", SECRET))))));
    }

    private static Map<String, Object> config(Map<String, Object> redis) {
        return Map.of("engine", "redis", "redis", redis);
    }

    private static Throwable failure(Runnable call) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).as("the call must fail").isNotNull();
        return thrown;
    }

    /** The secret is absent from the message, the full stack trace, and what was logged and printed so far. */
    private void assertHidden(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as("stack trace").doesNotContain(SECRET);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).as("message").doesNotContain(SECRET);
            assertThat(t.toString()).doesNotContain(SECRET);
        }
        assertHidden(logged.toString());
    }

    private void assertHidden(String text) {
        assertThat(text).doesNotContain(SECRET);
        assertThat(printed.toString(StandardCharsets.UTF_8)).as("printed").doesNotContain(SECRET);
        synchronized (logged) {
            assertThat(String.join("\n", logged)).as("logged").doesNotContain(SECRET);
        }
    }
}
