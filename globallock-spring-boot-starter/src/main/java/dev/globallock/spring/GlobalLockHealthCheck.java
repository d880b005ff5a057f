/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.Durations;
import dev.globallock.GlobalLockManager;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Whether the lock backend answers: one {@link GlobalLockManager#inspect} of a probe lock (a read;
 * nothing is written), bounded by a timeout. Concurrent checks share the probe in flight, and at
 * most one probe runs at a time, on one daemon thread. Spring Boot's health API differs between
 * Boot 3 and 4; {@link HealthIndicatorFactoryBean} adapts this to whichever is present.
 */
final class GlobalLockHealthCheck {
    static final String PROBE = "globallock-health-probe";

    private final ObjectProvider<GlobalLockManager> managers;
    private final ObjectProvider<GlobalLockEngineView> engines;
    private final Duration timeout;
    private final ExecutorService prober = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "globallock-health");
        thread.setDaemon(true);
        return thread;
    });
    private CompletableFuture<Long> inFlight;

    GlobalLockHealthCheck(
            ObjectProvider<GlobalLockManager> managers,
            ObjectProvider<GlobalLockEngineView> engines,
            Duration timeout) {
        this.managers = managers;
        this.engines = engines;
        this.timeout = timeout;
    }

    /** The outcome: up or down, with details (engine, endpoint, and the error or the latency). */
    Result check() {
        Map<String, Object> details = new LinkedHashMap<>();
        GlobalLockManager manager = managers.getIfUnique();
        if (manager == null) {
            details.put("error", "no single GlobalLockManager bean to check");
            return new Result(false, details);
        }
        details.put("engine", manager.engineName());
        GlobalLockEngineView view = engines.getIfAvailable();
        if (view != null) {
            view.endpoint().ifPresent(endpoint -> details.put("endpoint", endpoint));
        }
        CompletableFuture<Long> probe = probe(manager);
        try {
            long nanos = probe.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            details.put("latency", Durations.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(nanos))));
            return new Result(true, details);
        } catch (TimeoutException e) {
            details.put("error", "the backend did not answer within " + Durations.format(timeout));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            details.put("error", cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            details.put("error", "interrupted while checking");
        }
        return new Result(false, details);
    }

    private synchronized CompletableFuture<Long> probe(GlobalLockManager manager) {
        if (inFlight == null || inFlight.isDone()) {
            inFlight = CompletableFuture.supplyAsync(
                    () -> {
                        long start = System.nanoTime();
                        manager.inspect(PROBE);
                        return System.nanoTime() - start;
                    },
                    prober);
        }
        return inFlight;
    }

    void shutdown() {
        prober.shutdownNow();
    }

    /** One check's outcome. */
    static final class Result {
        final boolean up;
        final Map<String, Object> details;

        Result(boolean up, Map<String, Object> details) {
            this.up = up;
            this.details = details;
        }
    }
}
