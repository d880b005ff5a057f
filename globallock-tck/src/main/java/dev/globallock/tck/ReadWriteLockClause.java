/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import static dev.globallock.tck.KitContext.forever;
import static dev.globallock.tck.KitContext.millisSince;
import static dev.globallock.tck.KitContext.waitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInterruptedException;
import dev.globallock.LockReadWrite;
import dev.globallock.LockState;
import dev.globallock.LockTimeoutException;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Read-write locks, for engines that declare {@link Capability#READ_WRITE_LOCK}: readers together
 * but never with a writer, a waiting writer not starved by readers, fencing order, downgrade and the
 * refused upgrade, crash and lost-lease handling, waits that leave nothing behind, inspection. An
 * engine without the capability checks that asking is a clear error naming it.
 *
 * <p>The group "13. read-write locks" of {@link LockEngineCompatibilityKit}.
 */
abstract class ReadWriteLockClause {
    private final KitContext kit;

    ReadWriteLockClause(LockEngineCompatibilityKit kit) {
        this.kit = kit.context();
    }

    /** An engine decorator whose renewals are sent nowhere and never complete. */
    static LockEngine renewalsHang(LockEngine engine) {
        return new ForwardingLockEngine(engine) {
            @Override
            public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                return new CompletableFuture<>();
            }
        };
    }

    private LockReadWrite lockOf(GlobalLockManager manager, String name) {
        assumeTrue(
                manager.capabilities().has(Capability.READ_WRITE_LOCK),
                "the engine declares no READ_WRITE_LOCK capability: see withoutTheCapabilityAskingIsAClearError");
        return manager.readWriteLock(name);
    }

    private LockReadWrite lockOf(String name) {
        return lockOf(kit.manager(), name);
    }

    @Test
    @DisplayName("two managers, six threads reading and writing: never a reader with a writer, never two writers")
    void readersNeverWithAWriter() throws Exception {
        List<LockReadWrite> locks = List.of(lockOf("shared"), lockOf("shared"));
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = kit.threads(6);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            LockReadWrite lock = locks.get(t % 2);
            boolean writer = t % 3 == 0;
            work.add(pool.submit(() -> {
                for (int r = 0; r < 12; r++) {
                    LockReadWrite.Side side = writer ? lock.writeLock() : lock.readLock();
                    try (LockHandle held = side.lock(waitAtMost(kit.patience()))) {
                        AtomicInteger mine = writer ? writers : readers;
                        mine.incrementAndGet();
                        if (writers.get() > 1 || writers.get() > 0 && readers.get() > 0) {
                            overlaps.incrementAndGet();
                        }
                        Thread.yield();
                        mine.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : work) {
            future.get(kit.patience().toMillis() * 3, TimeUnit.MILLISECONDS);
        }
        assertThat(overlaps.get())
                .as("times a writer was inside with anyone else")
                .isZero();
    }

    @Test
    @DisplayName("readers of two managers hold together; a writer waits for both, then excludes readers")
    void readersShareAndTheWriterExcludes() {
        LockReadWrite one = lockOf("doc");
        LockReadWrite two = lockOf("doc");
        LockReadWrite writer = lockOf("doc"); // a third manager: a thread holding a read may not ask to write
        LockHandle r1 = one.readLock().tryLock();
        LockHandle r2 = two.readLock().tryLock();
        assertThat(r1.isLocked()).isTrue();
        assertThat(r2.isLocked()).as("readers together").isTrue();
        one.inspect().ifPresent(info -> assertThat(info.holders()).isEqualTo(2));
        assertThat(writer.writeLock().tryLock().isLocked())
                .as("no writer while read")
                .isFalse();
        r1.release();
        assertThat(writer.writeLock().tryLock().isLocked())
                .as("one reader is enough to exclude")
                .isFalse();
        r2.release();
        LockHandle w = writer.writeLock().tryLock();
        assertThat(w.isLocked()).isTrue();
        one.inspect().ifPresent(info -> assertThat(info.holders()).isEqualTo(1));
        assertThat(one.readLock().tryLock().isLocked())
                .as("no reader while written")
                .isFalse();
        assertThat(two.writeLock().tryLock().isLocked()).as("one writer").isFalse();
        w.release();
        one.inspect().ifPresent(info -> assertThat(info.isHeld()).isFalse());
    }

    @Test
    @DisplayName("a waiting writer blocks new readers, and is granted when the readers before it leave")
    void writerNotStarvedByReaders() throws Exception {
        LockReadWrite one = lockOf("starve");
        LockHandle reading = one.readLock().tryLock();
        CompletableFuture<LockHandle> writer = lockOf("starve").writeLock().lockAsync(forever());
        LockReadWrite third = lockOf("starve");
        // The writer's place in the queue reaches the backend some time after lockAsync returns; until
        // then a new reader is rightly admitted. Wait until one is refused: an engine that lets readers
        // past a waiting writer never refuses, and fails here after the kit's patience.
        kit.awaitTrue("a new reader refused while a writer waits", () -> {
            try (LockHandle early = third.readLock().tryLock()) {
                return !early.isLocked();
            }
        });
        assertThat(writer).as("the writer waits for the reader").isNotDone();
        CompletableFuture<LockHandle> laterReader = third.readLock().lockAsync(forever());
        reading.release();
        LockHandle written = writer.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(laterReader).as("the reader after the writer waits for it").isNotDone();
        assertThat(written.fencingToken()).isGreaterThan(reading.fencingToken());
        written.release();
        LockHandle read = laterReader.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(read.fencingToken())
                .as("a read after a write has a greater token")
                .isGreaterThan(written.fencingToken());
        read.release();
    }

    @Test
    @DisplayName("fencing: write tokens strictly increase; every read token is greater than the last write's")
    void fencingOrder() {
        LockReadWrite lock = lockOf("fence");
        long lastWrite = Long.MIN_VALUE;
        long lastRead = Long.MIN_VALUE;
        for (int i = 0; i < 3; i++) {
            try (LockHandle w = lock.writeLock().lock(waitAtMost(kit.patience()))) {
                assertThat(w.fencingToken()).isGreaterThan(lastWrite).isGreaterThan(lastRead);
                lastWrite = w.fencingToken();
            }
            try (LockHandle r = lock.readLock().lock(waitAtMost(kit.patience()));
                    LockHandle r2 = lockOf("fence").readLock().lock(waitAtMost(kit.patience()))) {
                assertThat(r.fencingToken()).isGreaterThan(lastWrite);
                assertThat(r2.fencingToken()).isGreaterThan(lastWrite);
                lastRead = Math.max(r.fencingToken(), r2.fencingToken());
            }
        }
    }

    @Test
    @DisplayName(
            "reentrancy: read and write reenter; a writer may take the read lock (downgrade); a reader's write fails fast")
    void downgradeAndUpgrade() {
        GlobalLockManager manager = kit.manager();
        LockReadWrite lock = lockOf(manager, "grade");
        LockReadWrite other = lockOf("grade");
        LockHandle write = lock.writeLock().lock(waitAtMost(kit.patience()));
        try (LockHandle again = lock.writeLock().lock(waitAtMost(kit.patience()))) {
            assertThat(again.holdCount()).isEqualTo(2);
        }
        CompletableFuture<LockHandle> otherWriter = other.writeLock().lockAsync(forever());
        LockHandle read = lock.readLock().lock(waitAtMost(Duration.ZERO));
        assertThat(read.isLocked())
                .as("downgrade granted at once, even with a writer waiting")
                .isTrue();
        assertThat(read.fencingToken()).isGreaterThan(write.fencingToken());
        write.release();
        assertThat(read.isLocked()).isTrue();
        assertThat(otherWriter).as("the read lock still excludes writers").isNotDone();
        try (LockHandle readAgain = lock.readLock().tryLock()) {
            assertThat(readAgain.holdCount()).as("read reenters").isEqualTo(2);
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> lock.writeLock().lock(forever()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds the read lock of lock 'grade'")
                .hasMessageContaining("upgrade");
        assertThat(millisSince(start))
                .as("fails fast")
                .isLessThan(kit.patience().toMillis());
        read.release();
        otherWriter.join().release();
    }

    @Test
    @DisplayName("the write lock of a holder that crashed comes back within one lease")
    void crashedWriterComesBack() {
        Duration lease = kit.shortLease().multipliedBy(2);
        AtomicReference<GlobalLockManager> crashing = new AtomicReference<>();
        CountingEngine engine = kit.countingManager(crashing, lease);
        LockReadWrite survivor = lockOf("crash");
        assertThat(lockOf(crashing.get(), "crash").writeLock().tryLock().isLocked())
                .isTrue();
        long crashedAt = System.nanoTime();
        kit.crash(engine);
        try (LockHandle read = survivor.readLock()
                .lock(waitAtMost(kit.crashRecoveryBound(lease).plusSeconds(5)))) {
            assertThat(read.isLocked()).isTrue();
            assertThat(millisSince(crashedAt))
                    .isLessThanOrEqualTo(kit.crashRecoveryBound(lease).toMillis());
        }
    }

    @Test
    @DisplayName("the watchdog keeps a live reader's lock past its lease")
    void watchdogKeepsTheReadLock() {
        // twice the short lease, as the lock's own watchdog test: renewals on a loaded machine lag
        Duration lease = kit.shortLease().multipliedBy(2);
        LockHandle read = lockOf(kit.managerWithWatchdogLease(lease), "renewed")
                .readLock()
                .lock(waitAtMost(kit.patience()));
        LockReadWrite other = lockOf("renewed");
        long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() - until < 0) {
            assertThat(other.writeLock().tryLock().isLocked())
                    .as("no writer while the reader is renewed")
                    .isFalse();
            assertThat(read.isLocked()).isTrue();
            LockSupport.parkNanos(lease.toNanos() / 8);
        }
        read.release();
        assertThat(other.writeLock().tryLock().isLocked()).isTrue();
    }

    @Test
    @DisplayName("a read lock whose renewals never complete is reported lost within one lease")
    void lostLeaseSignal() throws Exception {
        GlobalLockManager holder =
                kit.manager(b -> b.watchdogLease(kit.shortLease()).decorateEngine(ReadWriteLockClause::renewalsHang));
        LockHandle read = lockOf(holder, "lost").readLock().lock(waitAtMost(kit.patience()));
        AtomicInteger told = new AtomicInteger();
        read.onLost(told::incrementAndGet);
        read.lost().get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(read.state()).isEqualTo(LockState.LOST);
        kit.awaitTrue("the listener ran once", () -> told.get() == 1);
        assertThat(read.isLocked()).isFalse();
    }

    @Test
    @DisplayName("a writer that timed out, was cancelled or interrupted leaves nothing: readers enter at once")
    void abandonedWritersLeaveNothing() throws Exception {
        LockReadWrite reader = lockOf("residue");
        LockReadWrite writer = lockOf("residue");
        LockHandle reading = reader.readLock().tryLock();
        assertThatThrownBy(() -> writer.writeLock().lock(waitAtMost(Duration.ZERO)))
                .isInstanceOf(LockTimeoutException.class);
        assertThatThrownBy(() -> writer.writeLock().lock(waitAtMost(Duration.ofMillis(300))))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("'residue'");
        awaitReaderEnters("after the timed-out writer");
        CompletableFuture<LockHandle> cancelled = writer.writeLock().lockAsync(forever());
        assertThat(cancelled.cancel(true)).isTrue();
        awaitReaderEnters("after the cancelled writer");
        AtomicReference<Thread> blocked = new AtomicReference<>();
        Future<Boolean> interrupted = kit.threads(1).submit(() -> {
            blocked.set(Thread.currentThread());
            try {
                writer.writeLock().lock(forever());
                return false;
            } catch (LockInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        });
        kit.awaitTrue(
                "the writer blocks",
                () -> blocked.get() != null && blocked.get().getState() != Thread.State.RUNNABLE);
        blocked.get().interrupt();
        assertThat(interrupted.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                .as("flag kept")
                .isTrue();
        awaitReaderEnters("after the interrupted writer");
        reading.release();
        LockReadWrite probe = lockOf("residue");
        kit.awaitTrue("the write lock free", () -> {
            try (LockHandle w = probe.writeLock().tryLock()) {
                return w.isLocked();
            }
        });
    }

    private void awaitReaderEnters(String when) {
        LockReadWrite probe = lockOf("residue");
        kit.awaitTrue("a new reader enters " + when, () -> {
            try (LockHandle r = probe.readLock().tryLock()) {
                return r.isLocked();
            }
        });
    }

    @Test
    @DisplayName("an engine without the capability: asking for a read-write lock is a clear error naming the engine")
    void withoutTheCapabilityAskingIsAClearError() {
        GlobalLockManager manager = kit.manager();
        assumeFalse(manager.capabilities().has(Capability.READ_WRITE_LOCK), "the engine has read-write locks");
        assertThatThrownBy(() -> manager.readWriteLock("doc"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("engine '" + manager.engineName() + "' at ")
                .hasMessageContaining("has no read-write locks (its capabilities lack READ_WRITE_LOCK)")
                .hasMessageContaining("read-write lock 'doc' cannot be made");
    }
}
