/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.etcd.EtcdEngineConfig;
import dev.globallock.etcd.EtcdLockEngine;
import dev.globallock.tck.fixture.EtcdServer;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.support.CloseableClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uncontended lock+unlock on etcd in short interleaved slices ({@link InterleavedSlices}), the
 * steadier A/B next to {@link EtcdBenchmark}'s rounds. Contenders: the raw jetcd floor (one put
 * with a lease, one delete), globallock with the client it builds itself (a blocking caller's
 * acquire Txn and release delete go straight on the gRPC channel), globallock with an application's
 * jetcd client (every request through jetcd's KV client), and jetcd's lock client.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.EtcdSliceBench [-Dexec.args="CYCLES SLICE_MILLIS"]
 * </pre>
 */
public final class EtcdSliceBench {
    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 300;
        List<CloseableClient> keepAlives = new ArrayList<>();
        try (EtcdServer server = EtcdServer.start();
                Client client = Client.builder().endpoints(server.endpoint()).build();
                Client applications =
                        Client.builder().endpoints(server.endpoint()).build();
                GlobalLockManager own = GlobalLockManager.create(
                        Map.of("engine", "etcd", "etcd", Map.of("endpoints", List.of(server.endpoint()))));
                GlobalLockManager given = GlobalLockManager.builder()
                        .engine(EtcdLockEngine.open(
                                EtcdEngineConfig.builder().client(applications).build()))
                        .build()) {
            EtcdBenchmark.Leases leases = new EtcdBenchmark.Leases(keepAlives);
            Map<String, BenchLock> contenders = new LinkedHashMap<>();
            contenders.put("raw jetcd floor", EtcdBenchmark.putDelete(client, leases.grant(client), "s-raw"));
            contenders.put("globallock", () -> own.lock("s-own"));
            contenders.put("globallock, application's client", () -> given.lock("s-given"));
            contenders.put("jetcd lock client", EtcdBenchmark.jetcdLock(client, leases.grant(client), "s-jetcd"));
            new InterleavedSlices(contenders).run(8000, cycles, sliceMillis);
        } finally {
            keepAlives.forEach(CloseableClient::close);
        }
    }
}
