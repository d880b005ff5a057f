/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the file engine: configuration, file names, the token record, replaced files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLockEngineTest {
    @TempDir
    Path directory;

    private GlobalLockManager manager(Map<String, Object> section) {
        return GlobalLockManager.create(Map.of("engine", "file", "file", section));
    }

    @Test
    void fileNamesAreSafeAndDistinctForAlikeKeys() {
        List<String> keys = List.of("a/b", "a_b", "a%2Fb", "A/B", "a b", "..", ".", "/", "ünï-锁", "x".repeat(2000));
        Set<String> names = new HashSet<>();
        for (String key : keys) {
            String name = LockFiles.fileName(key);
            assertThat(name).matches("[A-Za-z0-9._-]+\\.lock").doesNotStartWith(".");
            assertThat(name.length()).isLessThan(120);
            names.add(name.toLowerCase(java.util.Locale.ROOT));
        }
        assertThat(names).as("distinct even case-insensitively").hasSize(keys.size());
        assertThat(LockFiles.fileName("report-2024")).startsWith("report-2024-");
    }

    @Test
    void tokensNeverGoBackEvenWhenTheClockDoes() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        long first = LockFiles.nextToken(OptionalLong.empty(), now);
        long second = LockFiles.nextToken(OptionalLong.of(first), now.minusSeconds(3600));
        assertThat(second).isEqualTo(first + 1);
        assertThat(LockFiles.nextToken(OptionalLong.of(first), now.plusSeconds(1)))
                .isGreaterThan(second);
    }

    @Test
    void theLockFileRecordsTokenHolderAndState() throws Exception {
        try (GlobalLockManager locks = manager(Map.of("directory", directory.toString()))) {
            Path file = FileLockEngine.lockFile(directory.toRealPath(), "recorded");
            long token;
            try (LockHandle held = locks.lock("recorded")) {
                token = held.fencingToken();
                assertThat(Files.readString(file, StandardCharsets.UTF_8))
                        .contains(
                                "token: " + token,
                                "state: held",
                                "pid: " + ProcessHandle.current().pid())
                        .contains("key: recorded");
            }
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("token: " + token, "state: free");
            try (LockHandle again = locks.lock("recorded")) {
                assertThat(again.fencingToken()).isGreaterThan(token);
            }
        }
    }

    @Test
    void aReplacedLockFileIsALostLease() throws Exception {
        try (GlobalLockManager holder = GlobalLockManager.builder()
                        .config(Map.of("engine", "file", "file", Map.of("directory", directory.toString())))
                        .watchdogLease(Duration.ofMillis(600))
                        .build();
                GlobalLockManager other = manager(Map.of("directory", directory.toString()))) {
            LockHandle held = holder.lock("replaced");
            Path file = FileLockEngine.lockFile(directory.toRealPath(), "replaced");
            Path copy = directory.resolve("copy");
            // not Files.copy: opening and closing the lock file in this JVM would drop its POSIX lock
            Files.writeString(copy, "replacement", StandardCharsets.UTF_8);
            Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            held.lost().get(10, TimeUnit.SECONDS); // the next renewal finds another inode behind the name
            assertThat(held.state()).isEqualTo(LockState.LOST);
            try (LockHandle next = other.tryLock("replaced")) {
                assertThat(next.isLocked())
                        .as("the replaced file is free to lock")
                        .isTrue();
                assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            }
        }
    }

    @Test
    void configurationIsReadAndCheckedAtOnce() throws Exception {
        try (GlobalLockManager locks =
                manager(Map.of("directory", directory.resolve("a/b").toString(), "fsync", false))) {
            assertThat(locks.engineName()).isEqualTo("file");
            assertThat(directory.resolve("a/b")).isDirectory();
        }
        assertThatThrownBy(() -> manager(Map.of("max-poll-interval", "1m", "directroy", "/tmp", "fsync", "maybe")))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("file.max-poll-interval was '1m' but it must be between 1ms and 10s")
                .hasMessageContaining("file.fsync was 'maybe' but it must be true or false")
                .hasMessageContaining("did you mean 'directory'?");
        assertThatThrownBy(() -> GlobalLockManager.create(
                        Map.of("engine", "file", "defaults", Map.of("lease-time", "10s"), "file", Map.of())))
                .isInstanceOf(LockConfigException.class)
                .hasMessageContaining("cannot honour lease times");
        try (GlobalLockManager locks = manager(Map.of("directory", directory.toString()))) {
            assertThatThrownBy(() -> locks.lock(
                            "leased",
                            LockOptions.builder()
                                    .leaseTime(Duration.ofSeconds(5))
                                    .build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("engine 'file' cannot honour a lease time");
        }
    }

    @Test
    void homeAndStateDirectoriesAreExpanded() {
        assertThat(FileEngineConfig.defaultDirectory().toString()).endsWith("globallock/locks");
        FileLockEngine engine = (FileLockEngine) new FileLockEngineProvider()
                .create(dev.globallock.spi.ConfigSection.of("file", Map.of("directory", directory.toString())));
        try {
            assertThat(engine.describeEndpoint()).startsWith("file:/");
            assertThat(engine.capabilities().has(dev.globallock.Capability.LEASE_TIME))
                    .isFalse();
        } finally {
            engine.close();
        }
    }
}
