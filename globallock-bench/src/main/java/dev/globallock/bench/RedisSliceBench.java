/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.tck.fixture.RedisServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import redis.clients.jedis.RedisClient;

/**
 * Uncontended lock+unlock on one redis-server in short interleaved slices ({@link
 * InterleavedSlices}), the steadier A/B next to {@link RedisBenchmark}'s rounds. Contenders: the raw
 * Jedis floor (SET NX PX, compare-and-delete script), globallock and Redisson's {@code RLock}.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.RedisSliceBench [-Dexec.args="CYCLES SLICE_MILLIS"]
 * </pre>
 */
public final class RedisSliceBench {
    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 300;
        try (RedisServer server = RedisServer.start();
                RedisClient raw = RedisClient.create(server.host(), server.port());
                GlobalLockManager manager = GlobalLockManager.create(
                        Map.of("engine", "redis", "redis", Map.of("nodes", List.of(server.uri()))))) {
            Config config = new Config();
            config.useSingleServer().setAddress(server.uri());
            RedissonClient redisson = Redisson.create(config);
            try {
                Map<String, BenchLock> contenders = new LinkedHashMap<>();
                contenders.put(
                        "raw Jedis floor",
                        new RedisBenchmark.RawLock(raw, "s-raw", raw.scriptLoad(RedisBenchmark.RawLock.RELEASE)));
                contenders.put("globallock", () -> manager.lock("s-globallock"));
                contenders.put("Redisson RLock", RedisBenchmark.redisson(redisson, "s-redisson"));
                new InterleavedSlices(contenders).run(1000, cycles, sliceMillis);
            } finally {
                redisson.shutdown();
            }
        }
    }
}
