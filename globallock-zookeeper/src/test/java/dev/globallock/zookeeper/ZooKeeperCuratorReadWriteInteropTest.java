/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import dev.globallock.LockReadWrite;
import dev.globallock.LockTimeoutException;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A globallock read-write lock and Curator's own {@code InterProcessReadWriteLock} at the lock's
 * path ({@code <namespace>/<escaped key>~rw}) are one lock, on Debian's real server: readers of
 * either share it, a writer of either excludes the other's readers and writers, and a waiter of
 * either is woken by the other's release. A Curator writer that waits blocks new globallock readers
 * and the other way round (neither starves writers).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ZooKeeperCuratorReadWriteInteropTest {
    /** How long a Curator acquire that must fail may try: a bounded negative, not a sleep. */
    private static final long REFUSED_MILLIS = 300;

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static ZooKeeperServer server;
    private static CuratorFramework curator;

    private GlobalLockManager manager;
    private String name;
    private InterProcessReadWriteLock theirs;

    @BeforeAll
    static void startServer() {
        server = ZooKeeperServer.start();
        curator = ZooKeeperKitSupport.observer(server.connectString());
    }

    @AfterAll
    static void stopServer() {
        curator.close();
        server.close();
    }

    @BeforeEach
    void newLock() {
        manager = GlobalLockManager.builder()
                .config(TestingServers.config(server.connectString()))
                .build();
        name = "interop-" + UUID.randomUUID().toString().substring(0, 8);
        theirs = new InterProcessReadWriteLock(
                curator, LockPaths.readWrite(name, true).parent());
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private static LockOptions waitAtMost(Duration wait) {
        return LockOptions.builder().waitTime(wait).build();
    }

    /** Waits until a writer's node (either library's) is queued under the lock. */
    private void awaitWriterNode() {
        String parent = LockPaths.readWrite(name, true).parent();
        Await.until(
                PATIENCE,
                () -> {
                    try {
                        return curator.getChildren().forPath(parent).stream().anyMatch(LockPaths::isWriter);
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "a writer's node under " + parent);
    }

    @Test
    void globallockReaderExcludesCuratorWriterAndSharesWithCuratorReaders() throws Exception {
        LockReadWrite ours = manager.readWriteLock(name);
        LockHandle read = ours.readLock().tryLock();
        assertThat(read.isLocked()).isTrue();
        InterProcessMutex theirWrite = theirs.writeLock();
        assertThat(theirWrite.acquire(REFUSED_MILLIS, TimeUnit.MILLISECONDS))
                .as("Curator's writer while a globallock reader holds")
                .isFalse();
        InterProcessMutex theirRead = theirs.readLock();
        assertThat(theirRead.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("Curator's reader shares with globallock's")
                .isTrue();
        theirRead.release();
        read.release();
        assertThat(theirWrite.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("Curator's writer once the globallock reader released")
                .isTrue();
        theirWrite.release();
    }

    @Test
    void curatorWriterExcludesGloballockAndWakesItsWaitingReader() throws Exception {
        LockReadWrite ours = manager.readWriteLock(name);
        InterProcessMutex theirWrite = theirs.writeLock();
        assertThat(theirWrite.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        assertThat(ours.readLock().tryLock().isLocked())
                .as("no globallock reader while Curator writes")
                .isFalse();
        assertThat(ours.writeLock().tryLock().isLocked())
                .as("no globallock writer while Curator writes")
                .isFalse();
        CompletableFuture<LockHandle> waitingReader = ours.readLock().lockAsync(waitAtMost(PATIENCE));
        assertThat(waitingReader).isNotDone();
        theirWrite.release();
        try (LockHandle read = waitingReader.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            assertThat(read.isLocked())
                    .as("woken by the Curator writer's release")
                    .isTrue();
        }
    }

    @Test
    void globallockWriterExcludesCuratorReadersAndWriters() throws Exception {
        LockReadWrite ours = manager.readWriteLock(name);
        LockHandle write = ours.writeLock().tryLock();
        assertThat(write.isLocked()).isTrue();
        InterProcessMutex theirRead = theirs.readLock();
        assertThat(theirRead.acquire(REFUSED_MILLIS, TimeUnit.MILLISECONDS))
                .as("Curator's reader while a globallock writer holds")
                .isFalse();
        InterProcessMutex theirWrite = theirs.writeLock();
        assertThat(theirWrite.acquire(REFUSED_MILLIS, TimeUnit.MILLISECONDS))
                .as("Curator's writer while a globallock writer holds")
                .isFalse();
        write.release();
        assertThat(theirRead.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("Curator's reader once the globallock writer released")
                .isTrue();
        theirRead.release();
    }

    @Test
    void waitingWritersOfEitherBlockNewReadersOfTheOther() throws Exception {
        LockReadWrite ours = manager.readWriteLock(name);
        InterProcessMutex theirRead = theirs.readLock();
        assertThat(theirRead.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        CompletableFuture<LockHandle> waitingWriter = ours.writeLock().lockAsync(waitAtMost(PATIENCE));
        awaitWriterNode();
        CompletableFuture<Boolean> lateReader = CompletableFuture.supplyAsync(() -> {
            InterProcessMutex late = new InterProcessReadWriteLock(
                            curator, LockPaths.readWrite(name, true).parent())
                    .readLock();
            try {
                boolean got = late.acquire(REFUSED_MILLIS, TimeUnit.MILLISECONDS);
                if (got) {
                    late.release();
                }
                return got;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(lateReader.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("a new Curator reader queues behind the waiting globallock writer")
                .isFalse();
        assertThat(waitingWriter).isNotDone();
        theirRead.release();
        LockHandle write = waitingWriter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(write.isLocked()).as("woken by the Curator reader's release").isTrue();
        write.release();

        InterProcessMutex theirWrite = theirs.writeLock();
        LockHandle read = ours.readLock().tryLock();
        assertThat(read.isLocked()).isTrue();
        CompletableFuture<Boolean> curatorWriter = CompletableFuture.supplyAsync(() -> {
            try {
                boolean got = theirWrite.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                if (got) {
                    theirWrite.release();
                }
                return got;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitWriterNode();
        try (GlobalLockManager other = GlobalLockManager.builder()
                .config(TestingServers.config(server.connectString()))
                .build()) {
            assertThat(other.readWriteLock(name).readLock().tryLock().isLocked())
                    .as("a new globallock reader queues behind the waiting Curator writer")
                    .isFalse();
        }
        assertThat(curatorWriter).isNotDone();
        read.release();
        assertThat(curatorWriter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    /**
     * A writer whose node was queued before the holder downgraded waits behind the write's node,
     * not the later read node: the write's node stays until the downgraded read is released.
     */
    @Test
    void aDowngradedReadKeepsWritersQueuedBeforeItOut() throws Exception {
        LockReadWrite ours = manager.readWriteLock(name);
        LockHandle write = ours.writeLock().tryLock();
        assertThat(write.isLocked()).isTrue();
        try (GlobalLockManager other = GlobalLockManager.builder()
                .config(TestingServers.config(server.connectString()))
                .build()) {
            CompletableFuture<LockHandle> queuedWriter =
                    other.readWriteLock(name).writeLock().lockAsync(waitAtMost(PATIENCE));
            Await.until(
                    PATIENCE,
                    () -> writerNodes() == 2,
                    () -> "the queued writer's node under "
                            + LockPaths.readWrite(name, true).parent());
            LockHandle read = ours.readLock().tryLock();
            assertThat(read.isLocked()).as("downgrade granted at once").isTrue();
            write.release();
            InterProcessMutex theirWrite = theirs.writeLock();
            assertThat(theirWrite.acquire(REFUSED_MILLIS, TimeUnit.MILLISECONDS))
                    .as("a Curator writer while the downgraded read holds")
                    .isFalse();
            assertThat(queuedWriter)
                    .as("the writer queued before the downgrade waits for the read")
                    .isNotDone();
            read.release();
            queuedWriter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).release();
        }
    }

    private long writerNodes() {
        try {
            return curator.getChildren().forPath(LockPaths.readWrite(name, true).parent()).stream()
                    .filter(LockPaths::isWriter)
                    .count();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * The engine's no-listing shortcut after its own release (a new node two zxids after the
     * released one is alone) holds for the lock's holder only: a reader released while an earlier
     * reader (here Curator's) still holds leaves that reader in place, so the next writer lists.
     */
    @Test
    void aReleasedReaderIsNoShortcutForTheNextWriter() throws Exception {
        InterProcessMutex theirRead = theirs.readLock();
        assertThat(theirRead.acquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        LockReadWrite ours = manager.readWriteLock(name);
        LockHandle read = ours.readLock().lock(waitAtMost(PATIENCE));
        read.release();
        assertThatThrownBy(() -> ours.writeLock().lock(waitAtMost(Duration.ofMillis(REFUSED_MILLIS))))
                .as("no writer while Curator's earlier reader holds")
                .isInstanceOf(LockTimeoutException.class);
        theirRead.release();
    }
}
