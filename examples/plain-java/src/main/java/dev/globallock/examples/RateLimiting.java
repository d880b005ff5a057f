/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import dev.globallock.Capability;
import dev.globallock.GlobalLockManager;
import dev.globallock.RateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The calls of docs/rate-limiter.md. */
public final class RateLimiting {
    private RateLimiting() {}

    static void basics(GlobalLockManager locks, Runnable callPartner) {
        // tag::rate-limit-basic[]
        // at most 100 calls in any 1-second window, counted across every process on this backend
        RateLimiter partnerApi = locks.rateLimiter("partner-api", 100, Duration.ofSeconds(1));
        if (partnerApi.tryAcquire()) { // one round trip on Redis
            callPartner.run();
        } else {
            // over the limit: shed, queue or answer 429
        }
        // end::rate-limit-basic[]
    }

    static void waiting(RateLimiter partnerApi, Runnable sendBatch) {
        // tag::rate-limit-wait[]
        // 10 permits at once, waiting up to 2 s for them: sleeps until the backend says they fit
        if (partnerApi.tryAcquire(10, Duration.ofSeconds(2))) {
            sendBatch.run();
        }
        long free = partnerApi.availablePermits(); // reads, takes nothing
        Duration until = partnerApi.timeUntilAvailable(10); // ZERO when 10 fit now
        CompletableFuture<Boolean> later = partnerApi.tryAcquireAsync(1, Duration.ofSeconds(5)); // no thread waits
        // end::rate-limit-wait[]
        later.join();
        System.out.println(free + " " + until);
    }

    static void approximate(GlobalLockManager locks) {
        // tag::rate-limit-approximate[]
        // 50,000 per minute in three numbers on the backend instead of up to 50,000 log entries
        RateLimiter searches =
                locks.rateLimiter("searches", 50_000, Duration.ofMinutes(1), RateLimiter.Algorithm.APPROXIMATE);
        // end::rate-limit-approximate[]
        searches.tryAcquire();
    }

    static boolean capability(GlobalLockManager locks) {
        // tag::rate-limit-capability[]
        // etcd, ZooKeeper and Redis in Redlock mode keep no rate limiters:
        // rateLimiter(...) throws UnsupportedOperationException naming the engine
        boolean offered = locks.capabilities().has(Capability.RATE_LIMITER);
        // end::rate-limit-capability[]
        return offered;
    }
}
