/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockReadWrite;
import dev.globallock.LockSemaphore;
import dev.globallock.tck.fixture.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file engine's semaphores and read-write locks between JVMs: other java processes hold
 * permits, reads and writes through {@link HoldSharedMain}, and are killed to stand for crashes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileSharedLocksAcrossProcessesTest {
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
    void permitsAreCountedAcrossProcessesAndAKilledHoldersPermitComesBackAtOnce() throws Exception {
        Child first = start("permit:2", "exports");
        Child second = start("permit:2", "exports");
        assertThat(first.token).isNotEqualTo(second.token);
        assertThat(start("permit:2", "exports").busy)
                .as("a third process: both permits taken")
                .isTrue();
        LockSemaphore exports = manager().semaphore("exports", 2);
        assertThat(exports.tryAcquire().isLocked())
                .as("this process: both taken")
                .isFalse();
        assertThat(exports.inspect().orElseThrow().holders()).isEqualTo(2);
        assertThatThrownBy(() -> manager().semaphore("exports", 3).tryAcquire())
                .as("permits that disagree with the other processes' holders")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits of semaphore 'exports' was '3'")
                .hasMessageContaining("holds it with 2 permits");

        first.kill();
        try (LockHandle mine = exports.tryAcquire()) {
            assertThat(mine.isLocked())
                    .as("one attempt right after the holder died")
                    .isTrue();
            assertThat(mine.fencingToken()).isGreaterThan(Math.max(first.token, second.token));
        }
        second.release();
    }

    @Test
    void readersOfTwoProcessesShareAndAWriterOfAThirdWaitsForBoth() throws Exception {
        Child reader = start("read", "doc");
        LockReadWrite doc = manager().readWriteLock("doc");
        LockHandle mine = doc.readLock().tryLock();
        assertThat(mine.isLocked()).as("readers of two processes together").isTrue();
        assertThat(start("write", "doc").busy).as("a writer of a third").isTrue();
        mine.release();
        assertThat(start("write", "doc").busy).as("one reader left").isTrue();
        reader.release();
        Child writer = start("write", "doc");
        assertThat(writer.busy).isFalse();
        assertThat(writer.token).isGreaterThan(mine.fencingToken());
        assertThat(doc.readLock().tryLock().isLocked())
                .as("no reader while another process writes")
                .isFalse();
        writer.kill();
        try (LockHandle read = doc.readLock().tryLock()) {
            assertThat(read.isLocked()).as("at once after the writer died").isTrue();
            assertThat(read.fencingToken()).isGreaterThan(writer.token);
        }
    }

    @Test
    void aWriterWaitingInOneProcessKeepsNewReadersOfOthersOut() throws Exception {
        Child reader = start("read", "starve");
        LockReadWrite lock = manager().readWriteLock("starve");
        CompletableFuture<LockHandle> writing =
                lock.writeLock().lockAsync(LockOptions.builder().waitForever().build());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean kept = false;
        while (!kept && System.nanoTime() - until < 0) {
            // the waiting writer takes the gate on its first attempt; a reader started after that is kept out
            kept = start("read", "starve").busy;
        }
        assertThat(kept)
                .as("a new reader of another process while this process's writer waits")
                .isTrue();
        assertThat(writing).isNotDone();
        reader.release();
        LockHandle written = writing.get(10, TimeUnit.SECONDS);
        assertThat(written.fencingToken()).isGreaterThan(reader.token);
        written.release();
        Child after = start("read", "starve");
        assertThat(after.busy).as("readers enter once the writer is done").isFalse();
        after.release();
    }

    private GlobalLockManager manager() {
        GlobalLockManager manager = GlobalLockManager.create(Map.of(
                "engine", "file", "file", Map.of("directory", directory.toString(), "max-poll-interval", "100ms")));
        managers.add(manager);
        return manager;
    }

    private Child start(String kind, String name) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        ChildJvm.classPath(),
                        HoldSharedMain.class.getName(),
                        directory.toString(),
                        kind,
                        name)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        processes.add(process);
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the child's first line").matches("HELD \\d+|BUSY");
        if (line.equals("BUSY")) {
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            return new Child(process, out, -1, true);
        }
        return new Child(process, out, Long.parseLong(line.substring(5)), false);
    }

    private static final class Child {
        final Process process;
        final BufferedReader out;
        final long token;
        final boolean busy;

        Child(Process process, BufferedReader out, long token, boolean busy) {
            this.process = process;
            this.out = out;
            this.token = token;
            this.busy = busy;
        }

        void release() throws IOException, InterruptedException {
            Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write("release\n");
            in.flush();
            assertThat(out.readLine()).isEqualTo("RELEASED");
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no release
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
