/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.Durations;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInfo;
import dev.globallock.LockOptions;
import dev.globallock.LockTimeoutException;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.ForwardingLockEngine;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code globallock check}: opens the configured engine, acquires a scratch lock, checks that a
 * second manager cannot take it and is handed it on release, and prints what each step took. The
 * scratch lock leaves nothing behind: what the engine keeps for an unheld key (the Redis fencing
 * counter) is discarded when the first manager closes.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Verifies the configured backend end to end: connect, acquire, contend from a second manager,",
            "hand off, release; prints the latency of each step. Uses a scratch lock of its own."
        })
final class CheckCommand implements Callable<Integer> {
    private static final Duration STEP_WAIT = Duration.ofSeconds(10);

    @Option(
            names = "--rounds",
            defaultValue = "20",
            paramLabel = "N",
            description = "Uncontended acquire+release rounds to time. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @ParentCommand
    GlobalLockCommand parent;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || rounds > 10_000) {
            throw new CliException(ExitCodes.USAGE, "--rounds was " + rounds + " but it must be between 1 and 10000");
        }
        String lock = "globallock-check-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        System.out.println(
                "checking the configuration from " + parent.common.source() + " with scratch lock '" + lock + "'");
        ScratchKeys scratch = new ScratchKeys();
        int result;
        try {
            result = check(lock, scratch);
        } catch (LockTimeoutException e) {
            // nobody else knows the scratch lock: not granting it is not "busy", the backend does not answer
            throw new CliException(
                    ExitCodes.UNAVAILABLE,
                    scratch.describeEngine() + " did not grant the scratch lock '" + lock
                            + "', which nobody else holds, within "
                            + Durations.format(STEP_WAIT) + ": the backend is unreachable or not answering",
                    e);
        } finally {
            if (scratch.discardFailure != null) {
                System.err.println("globallock: the scratch lock's key could not be deleted: "
                        + Main.oneLine(scratch.discardFailure.getMessage()));
            }
        }
        return result;
    }

    private int check(String lock, ScratchKeys scratch) throws InterruptedException {
        LockOptions bounded = LockOptions.builder().waitTime(STEP_WAIT).build();
        long start = System.nanoTime();
        try (GlobalLockManager first = parent.common.open(builder -> builder.decorateEngine(scratch::track))) {
            step("open engine '" + first.engineName() + "'", start);
            try (GlobalLockManager second = parent.common.open(builder -> {})) {
                start = System.nanoTime();
                LockHandle held = first.lock(lock, bounded);
                step("acquire (first time)", start);

                start = System.nanoTime();
                try (LockHandle attempt = second.tryLock(lock)) {
                    if (attempt.isLocked()) {
                        return broken("a second manager took the lock while the first held it");
                    }
                }
                step("exclusion: a second manager's attempt was refused", start);

                start = System.nanoTime();
                Optional<LockInfo> info = first.inspect(lock);
                if (info.isPresent()) {
                    if (!info.get().isHeld()) {
                        return broken("inspect says the held lock is free");
                    }
                    step(
                            "inspect: held, fencing token "
                                    + info.get().fencingToken().stream()
                                            .mapToObj(Long::toString)
                                            .findFirst()
                                            .orElse("unknown"),
                            start);
                } else {
                    System.out.println("  inspect: not supported by this engine");
                }

                CompletableFuture<LockHandle> waiting = second.lockAsync(lock, bounded);
                Thread.sleep(200); // let the waiter queue up behind the holder
                if (waiting.isDone()) {
                    return broken("a second manager was granted the lock while the first held it");
                }
                start = System.nanoTime();
                held.release();
                LockHandle handedOff = waitFor(waiting);
                step("handoff: release to the waiting manager's grant", start);
                if (handedOff.fencingToken() <= held.fencingToken()) {
                    return broken("the fencing token did not increase (" + held.fencingToken() + " then "
                            + handedOff.fencingToken() + ")");
                }
                start = System.nanoTime();
                handedOff.release();
                step("release", start);

                long[] roundTrips = new long[rounds];
                for (int i = 0; i < rounds; i++) {
                    long roundStart = System.nanoTime();
                    try (LockHandle handle = first.lock(lock, bounded)) {
                        if (!handle.isLocked()) {
                            return broken("an uncontended acquire failed");
                        }
                    }
                    roundTrips[i] = System.nanoTime() - roundStart;
                }
                Arrays.sort(roundTrips);
                System.out.printf(
                        Locale.ROOT,
                        "  acquire+release, uncontended: median %s, max %s over %d rounds%n",
                        millis(roundTrips[rounds / 2]),
                        millis(roundTrips[rounds - 1]),
                        rounds);
                System.out.println("ok: engine '" + first.engineName() + "' works end to end");
                return 0;
            }
        }
    }

    private static LockHandle waitFor(CompletableFuture<LockHandle> waiting) throws InterruptedException {
        try {
            return waiting.get(STEP_WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LockTimeoutException) {
                throw new CliException(
                        ExitCodes.UNAVAILABLE,
                        "the waiting manager was not handed the lock within " + Durations.format(STEP_WAIT)
                                + " of its release",
                        e.getCause());
            }
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "the waiting manager was not handed the lock");
        }
    }

    /**
     * Wraps the first manager's engine: records the keys it acquires and, when the manager closes
     * it (after releasing what it held), discards them on the backend before closing the engine.
     */
    private static final class ScratchKeys {
        private final Set<String> keys = ConcurrentHashMap.newKeySet();
        private LockEngine engine;
        private volatile Exception discardFailure;

        /** {@code engine 'etcd' at http://…}, for messages. */
        String describeEngine() {
            return engine == null ? "the engine" : EngineErrors.of(engine).engineAt();
        }

        LockEngine track(LockEngine opened) {
            engine = new ForwardingLockEngine(opened) {
                @Override
                public CompletableFuture<LockGrant> acquire(AcquireRequest request) {
                    keys.add(request.key());
                    return super.acquire(request);
                }

                @Override
                public void close() {
                    try {
                        for (String key : keys) {
                            Optional<LockInspector> inspector = super.inspector();
                            if (inspector.isPresent()) {
                                inspector.get().discard(key).get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                            }
                        }
                    } catch (ExecutionException e) {
                        discardFailure = e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                    } catch (TimeoutException e) {
                        discardFailure = e;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        discardFailure = e;
                    } finally {
                        super.close();
                    }
                }
            };
            return engine;
        }
    }

    private static int broken(String what) {
        System.out.println("FAILED: " + what);
        System.err.println("globallock: check failed: " + what);
        return ExitCodes.SOFTWARE;
    }

    private static void step(String what, long startNanos) {
        System.out.printf(Locale.ROOT, "  %-52s %s%n", what, millis(System.nanoTime() - startNanos));
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
}
