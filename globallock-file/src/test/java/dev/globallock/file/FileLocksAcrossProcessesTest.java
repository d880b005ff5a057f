/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInfo;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The file engine between two JVMs: a second java process holds the lock through {@link HoldLockMain}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLocksAcrossProcessesTest {
    @TempDir
    Path directory;

    private final List<Process> processes = new ArrayList<>();
    private final List<GlobalLockManager> managers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        managers.forEach(GlobalLockManager::close);
    }

    @Test
    void anotherProcessCannotTakeAHeldLockAndTokensIncreaseAcrossProcesses() throws Exception {
        Holder holder = startHolder("shared");
        GlobalLockManager locks = manager(Duration.ofMillis(100));
        try (LockHandle attempt = locks.tryLock("shared")) {
            assertThat(attempt.isLocked()).as("held by the other JVM").isFalse();
        }
        LockInfo info = locks.inspect("shared").orElseThrow();
        assertThat(info.isHeld()).isTrue();
        assertThat(info.fencingToken()).hasValue(holder.token);

        holder.release();
        try (LockHandle mine = locks.tryLock("shared")) {
            assertThat(mine.isLocked())
                    .as("free once the other JVM released it")
                    .isTrue();
            assertThat(mine.fencingToken()).isGreaterThan(holder.token);
        }
    }

    @Test
    void sigkillOfTheHolderFreesTheLockAtOnce() throws Exception {
        Holder holder = startHolder("killed");
        GlobalLockManager locks = manager(Duration.ofMillis(100));
        assertThat(locks.tryLock("killed").isLocked()).isFalse();

        holder.process.destroyForcibly(); // SIGKILL: no shutdown hook, no release
        assertThat(holder.process.waitFor(10, TimeUnit.SECONDS)).isTrue();

        try (LockHandle mine = locks.tryLock("killed")) {
            assertThat(mine.isLocked())
                    .as("one attempt right after the holder died")
                    .isTrue();
            assertThat(mine.fencingToken()).isGreaterThan(holder.token);
        }
    }

    @Test
    void aWaiterIsGrantedPromptlyWhenTheHolderIsKilled() throws Exception {
        Holder holder = startHolder("waited");
        GlobalLockManager locks = manager(Duration.ofMillis(100));
        CompletableFuture<LockHandle> waiting =
                locks.lockAsync("waited", LockOptions.builder().waitForever().build());
        assertThatThrownBy(() -> waiting.get(300, TimeUnit.MILLISECONDS))
                .as("no grant while the other JVM holds the lock")
                .isInstanceOf(TimeoutException.class);

        holder.process.destroyForcibly();
        holder.process.waitFor(10, TimeUnit.SECONDS);
        long diedAt = System.nanoTime();
        LockHandle granted = waiting.get(10, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - diedAt);
        assertThat(millis)
                .as("grant after a crash, within the 100ms poll bound")
                .isLessThan(1_000);
        granted.release();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aCleanReleaseWakesAWaiterInAnotherProcessByNotification() throws Exception {
        Holder holder = startHolder("notified");
        // a poll bound of 10 s: after the waiter's back-off has grown past a second, only the
        // file-system notification explains a fast handoff
        GlobalLockManager locks = manager(Duration.ofSeconds(10));
        CompletableFuture<LockHandle> waiting =
                locks.lockAsync("notified", LockOptions.builder().waitForever().build());
        // 2.5 s without a grant: the lock stays held, and the back-off grows past a second meanwhile
        assertThatThrownBy(() -> waiting.get(2_500, TimeUnit.MILLISECONDS))
                .as("no grant while the other JVM holds the lock")
                .isInstanceOf(TimeoutException.class);

        long releasedAt = System.nanoTime();
        holder.release();
        LockHandle granted = waiting.get(10, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - releasedAt);
        assertThat(millis).as("handoff across processes").isLessThan(1_000);
        granted.release();
    }

    private GlobalLockManager manager(Duration maxPoll) {
        GlobalLockManager manager = GlobalLockManager.create(Map.of(
                "engine",
                "file",
                "file",
                Map.of("directory", directory.toString(), "max-poll-interval", maxPoll.toMillis() + "ms")));
        managers.add(manager);
        return manager;
    }

    private Holder startHolder(String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java, "-cp", ChildJvm.classPath(), HoldLockMain.class.getName(), directory.toString(), name)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        processes.add(process);
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the holder's first line").startsWith("HELD ");
        return new Holder(process, out, Long.parseLong(line.substring(5)));
    }

    private static final class Holder {
        final Process process;
        final BufferedReader out;
        final long token;

        Holder(Process process, BufferedReader out, long token) {
            this.process = process;
            this.out = out;
            this.token = token;
        }

        void release() throws IOException, InterruptedException {
            Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write("release\n");
            in.flush();
            assertThat(out.readLine()).isEqualTo("RELEASED");
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
