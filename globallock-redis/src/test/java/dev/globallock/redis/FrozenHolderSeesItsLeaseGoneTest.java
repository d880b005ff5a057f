/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.ChildJvm;
import dev.globallock.tck.fixture.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A holder JVM frozen (SIGSTOP) past its lease, while another process takes the lock, finds on
 * resuming (SIGCONT) that {@code isLocked()} is false at once: the handle reads the monotonic clock
 * against its lease deadline. The child ({@link FrozenHolderMain}) keeps its manager's timer thread
 * blocked in a held-back renewal from just before the freeze until it has looked, so no renewal,
 * lease timer or watchdog check can have run first.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrozenHolderSeesItsLeaseGoneTest {
    private static final Duration LEASE = Duration.ofSeconds(2);
    /** A jump of the monotonic clock this long is the freeze, which lasts at least a lease. */
    private static final Duration JUMP = Duration.ofMillis(900);

    private static final Duration LINE_WAIT = Duration.ofSeconds(20);

    private RedisServer redis;
    private Process child;
    private final BlockingQueue<String> childLines = new LinkedBlockingQueue<>();
    private GlobalLockManager locks;

    @AfterEach
    void cleanUp() {
        if (child != null) {
            signal("CONT");
            child.destroyForcibly();
        }
        if (locks != null) {
            locks.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aHolderResumedAfterItsLeaseRanOutSeesIsLockedFalseAtOnce() throws Exception {
        redis = RedisServer.start();
        Map<String, Object> config = Map.of("engine", "redis", "redis", Map.of("nodes", List.of(redis.uri())));
        startChild();
        Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        String held = nextLine();
        assertThat(held).as("the child's first line").startsWith("HELD ");
        long childToken = Long.parseLong(held.substring(5));
        in.write("watch\n");
        in.flush();
        assertThat(nextLine()).isEqualTo("WATCHING");
        assertThat(nextLine()).as("the child's next renewal is held back").isEqualTo("BLOCKED");

        signal("STOP");
        long frozenAt = System.nanoTime();
        // frozen until its lease is gone on the server: another process takes the lock
        locks = GlobalLockManager.create(config);
        LockHandle mine = locks.lock(
                "frozen", LockOptions.builder().waitTime(Duration.ofSeconds(20)).build());
        assertThat(mine.fencingToken()).isGreaterThan(childToken);
        long frozenFor = System.nanoTime() - frozenAt;
        Await.pause(
                Duration.ofNanos(Math.max(0, LEASE.toNanos() - frozenFor)),
                "the freeze lasts a whole lease, so the child's clock jumps by more than " + JUMP);
        signal("CONT");

        // the report at the instant it resumed, then the lost-lease listener's
        String resumed = nextLine();
        assertThat(resumed).as("the child's report when it resumed").startsWith("RESUMED ");
        assertThat(resumed).contains("locked=false").contains("state=LOST");
        assertThat(nextLine()).as("the lost-lease listener runs too").isEqualTo("TOLD");

        in.write("release\n");
        in.flush();
        assertThat(nextLine()).isEqualTo("RELEASED");
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(mine.isLocked())
                .as("the child's late release left this holder's lock alone")
                .isTrue();
        try (GlobalLockManager other = GlobalLockManager.create(config);
                LockHandle probe = other.tryLock("frozen")) {
            assertThat(probe.isLocked()).isFalse();
        }
        mine.release();
    }

    private void startChild() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(
                        java,
                        "-cp",
                        ChildJvm.classPath(),
                        FrozenHolderMain.class.getName(),
                        redis.uri(),
                        "frozen",
                        String.valueOf(LEASE.toMillis()),
                        String.valueOf(JUMP.toMillis()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        // read on a thread of its own, so that a silent child fails the test instead of hanging it
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader out =
                            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = out.readLine()) != null) {
                            childLines.add(line);
                        }
                    } catch (IOException e) {
                        childLines.add("READ FAILED: " + e);
                    }
                },
                "frozen-holder-output");
        reader.setDaemon(true);
        reader.start();
    }

    private String nextLine() throws InterruptedException {
        String line = childLines.poll(LINE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail("the child printed nothing within " + LINE_WAIT);
        }
        return line;
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(child.pid()))
                    .redirectErrorStream(true)
                    .start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
