/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockState;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link FrozenHolderSeesItsLeaseGoneTest}: takes a lock on the Redis server at
 * {@code args[0]} named {@code args[1]} with a watchdog lease of {@code args[2]} ms and prints
 * {@code HELD <token>}. On the line {@code watch} it prints {@code WATCHING}, spins reading the
 * monotonic clock, and holds the watchdog's next renewal back: the manager's one timer thread
 * blocks in it ({@code BLOCKED}), so no renewal, timer or listener of the manager can run until
 * the spinner lets it go. The first jump longer than {@code args[3]} ms between two readings of the
 * clock is the process resuming from a freeze; at that instant the spinner prints {@code RESUMED
 * <gap ms> locked=<isLocked()> state=<state()>} and only then lets the renewal go. The handle's
 * lost-lease listener prints {@code TOLD}. On {@code release} it closes the handle, prints {@code
 * RELEASED} and exits.
 */
public final class FrozenHolderMain {
    private static final CountDownLatch RESUMED = new CountDownLatch(1);
    private static volatile boolean holdRenewalsBack;

    private FrozenHolderMain() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String name = args[1];
        Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
        long jumpNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
        try (GlobalLockManager locks = GlobalLockManager.builder()
                        .config(Map.of("engine", "redis", "redis", Map.of("nodes", List.of(uri))))
                        .watchdogLease(lease)
                        .decorateEngine(FrozenHolderMain::renewalsHeldBackOnRequest)
                        .build();
                BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            LockHandle handle = locks.lock(name);
            handle.onLost(() -> say("TOLD"));
            say("HELD " + handle.fencingToken());
            String line;
            while ((line = stdin.readLine()) != null) {
                if (line.equals("watch")) {
                    Thread spinner = new Thread(() -> spinUntilResumed(handle, jumpNanos), "resume-detector");
                    spinner.setDaemon(true);
                    spinner.start();
                } else if (line.equals("release")) {
                    handle.close();
                    say("RELEASED");
                    return;
                }
            }
        }
    }

    private static LockEngine renewalsHeldBackOnRequest(LockEngine engine) {
        return new ForwardingLockEngine(engine) {
            @Override
            public CompletableFuture<Set<LockGrant>> renew(Collection<LockGrant> grants) {
                if (holdRenewalsBack) {
                    say("BLOCKED");
                    try {
                        RESUMED.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.renew(grants);
            }
        };
    }

    private static void spinUntilResumed(LockHandle handle, long jumpNanos) {
        say("WATCHING");
        holdRenewalsBack = true;
        long last = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (now - last > jumpNanos) {
                boolean locked = handle.isLocked();
                LockState state = handle.state();
                say("RESUMED " + TimeUnit.NANOSECONDS.toMillis(now - last) + " locked=" + locked + " state=" + state);
                RESUMED.countDown();
                return;
            }
            last = now;
            Thread.onSpinWait();
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
