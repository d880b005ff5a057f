/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.spi.AcquireMode;
import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.LeaseListener;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockGrant;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The watchdog's renewals of a lock, a permit, a read and a write grant go in one script call (the
 * lock's batch), which extends the sorted-set holders' leases on the server's clock and reports
 * exactly the grant that is gone.
 */
@DisplayName("redis engine: permits and read/write grants are renewed in the locks' batch")
class SharedGrantsRenewInTheLocksBatchTest {
    private static final LeaseListener QUIET = new LeaseListener() {
        @Override
        public void leaseLost(Throwable cause) {}

        @Override
        public void ownershipUncertain() {}

        @Override
        public void ownershipConfirmed() {}
    };

    private static RedisServers servers;

    @BeforeAll
    static void startServers() {
        servers = RedisServers.start(1);
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    @DisplayName("one script call renews all four kinds; a removed permit is the one reported lost")
    void oneBatch() throws Exception {
        RedisServer server = servers.servers().get(0);
        String prefix = "batch-" + UUID.randomUUID() + ":";
        AtomicReference<LockEngine> engine = new AtomicReference<>();
        try (GlobalLockManager locks = GlobalLockManager.builder()
                        .config(Map.of(
                                "engine",
                                "redis",
                                "key-prefix",
                                prefix,
                                "redis",
                                Map.of("nodes", List.of(server.uri()))))
                        .decorateEngine(opened -> {
                            engine.set(opened);
                            return opened;
                        })
                        .build();
                RedisClient client = RedisClient.create(server.host(), server.port())) {
            RedisGrant lock = grant(engine.get(), request(prefix, "lock"));
            RedisGrant permit = grant(engine.get(), request(prefix, "pool").withPermits(2));
            RedisGrant read = grant(engine.get(), request(prefix, "doc").withMode(AcquireMode.READ));
            RedisGrant write = grant(engine.get(), request(prefix, "page").withMode(AcquireMode.WRITE));
            List<LockGrant> all = List.of(lock, permit, read, write);
            double permitEnds = client.zscore(permit.keys.lock, new String(permit.owner));
            long callsBefore = evalshaCalls(client);

            Set<LockGrant> lost = engine.get().renew(all).get(5, TimeUnit.SECONDS);

            assertThat(evalshaCalls(client) - callsBefore).as("script calls").isEqualTo(1);
            assertThat(lost).isEmpty();
            assertThat(client.zscore(permit.keys.lock, new String(permit.owner)))
                    .as("the permit's lease end moved to now + 60s")
                    .isGreaterThanOrEqualTo(permitEnds);
            assertThat(client.pttl(lock.keys.lock)).isGreaterThan(50_000);

            client.zrem(permit.keys.lock, new String(permit.owner));
            assertThat(engine.get().renew(all).get(5, TimeUnit.SECONDS)).containsExactly(permit);
            for (RedisGrant grant : List.of(lock, read, write)) {
                engine.get().release(grant).get(5, TimeUnit.SECONDS);
            }
        }
    }

    private static AcquireRequest request(String prefix, String name) {
        return AcquireRequest.builder()
                .name(name)
                .key(prefix + name)
                .watchdogLease(Duration.ofSeconds(60))
                .singleAttempt()
                .listener(QUIET)
                .build();
    }

    private static RedisGrant grant(LockEngine engine, AcquireRequest request) throws Exception {
        LockGrant grant = engine.acquire(request).get(5, TimeUnit.SECONDS);
        assertThat(grant).as(request.toString()).isNotNull();
        return (RedisGrant) grant;
    }

    private static long evalshaCalls(RedisClient client) {
        String stats = client.info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:")) {
                return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return 0;
    }
}
