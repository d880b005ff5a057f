/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import static dev.globallock.bench.faults.Form.RECOVERY;
import static dev.globallock.bench.faults.Form.config;
import static dev.globallock.bench.faults.Form.seconds;
import static dev.globallock.bench.faults.Form.since;

import dev.globallock.bench.faults.Form.Deployment;
import dev.globallock.bench.faults.Form.Step;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.RedisCluster;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The Redis forms' deployments (one server, Sentinel, Cluster, Redlock) and their fault schedules. */
final class RedisDeployments {
    /** The lock's Redis key, as the engine names it (no key prefix). */
    static final String REDIS_KEY = "{" + Form.LOCK_NAME + "}";

    private RedisDeployments() {}

    private static Map<String, Object> redis(String mode, List<String> nodes) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("mode", mode);
        section.put("nodes", nodes);
        return section;
    }

    static final class Single implements Deployment {
        private final RedisServer server;
        private final Settings settings;

        Single(RedisServer server, Settings settings) {
            this.server = server;
            this.settings = settings;
        }

        @Override
        public String description() {
            return "redis-server 7 on " + server.uri() + ", no persistence";
        }

        @Override
        public Map<String, Object> engineConfig() {
            return config("redis", redis("single", List.of(server.uri())));
        }

        @Override
        public List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("restart Redis empty (SIGKILL, same port, no persistence)", this::restart),
                    Step.killHolder(),
                    Step.server("SIGSTOP Redis past the lease", this::freeze),
                    Step.freezeHolder());
        }

        private String restart() {
            long start = System.nanoTime();
            server.process().kill();
            server.process().restart();
            return "serving again " + since(start) + " after the SIGKILL, empty";
        }

        private String freeze() {
            server.process().pause();
            Await.pause(settings.freeze(), "the server stays frozen past the lease");
            server.process().resume();
            return "frozen " + seconds(settings.freeze());
        }

        @Override
        public void close() {
            server.close();
        }
    }

    static final class Sentinel implements Deployment {
        private final RedisSentinel sentinel;

        Sentinel(RedisSentinel sentinel) {
            this.sentinel = sentinel;
        }

        @Override
        public String description() {
            return "master " + sentinel.master().uri() + ", replica "
                    + sentinel.replica().uri() + ", sentinels " + sentinel.sentinelUris()
                    + " (down-after 1 s), no persistence";
        }

        @Override
        public Map<String, Object> engineConfig() {
            Map<String, Object> section = redis("sentinel", sentinel.sentinelUris());
            section.put("master-name", sentinel.masterName());
            return config("redis", section);
        }

        @Override
        public List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("master failover (SIGKILL the master)", this::failover),
                    Step.killHolder(),
                    Step.freezeHolder());
        }

        private String failover() {
            RedisServer master = sentinel.currentMaster();
            long start = System.nanoTime();
            master.process().kill();
            RedisServer promoted = sentinel.awaitFailover(RECOVERY);
            String failedOver = since(start);
            master.process().restart();
            boolean rejoined = awaitRole(master.port(), "slave", RECOVERY);
            return "killed " + master.uri() + "; " + promoted.uri() + " promoted " + failedOver
                    + " after the kill; the old master restarted empty and "
                    + (rejoined ? "rejoined as replica " + since(start) + " after the kill" : "did not rejoin");
        }

        @Override
        public void close() {
            sentinel.close();
        }
    }

    static final class Cluster implements Deployment {
        private final RedisCluster cluster;

        Cluster(RedisCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public String description() {
            return "3 masters + 3 replicas, node timeout 1 s, seeds " + cluster.seedUris() + ", lock in slot "
                    + RedisCluster.slotOf(REDIS_KEY);
        }

        @Override
        public Map<String, Object> engineConfig() {
            return config("redis", redis("cluster", cluster.seedUris()));
        }

        @Override
        public List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("SIGKILL the lock slot's master", this::killMaster),
                    Step.killHolder(),
                    Step.freezeHolder());
        }

        private String killMaster() {
            RedisCluster.Node master = cluster.masterForSlot(RedisCluster.slotOf(REDIS_KEY));
            long start = System.nanoTime();
            master.process().kill();
            cluster.awaitFailover(master, RECOVERY);
            String failedOver = since(start);
            RedisCluster.Node promoted = cluster.masterForSlot(RedisCluster.slotOf(REDIS_KEY));
            master.process().restart();
            cluster.awaitHealthy(RECOVERY);
            return "killed " + master.uri() + "; " + promoted.uri() + " serves the slot " + failedOver
                    + " after the kill; the old master rejoined as replica " + since(start) + " after";
        }

        @Override
        public void close() {
            cluster.close();
        }
    }

    static final class Redlock implements Deployment {
        private final RedisServers servers;
        private int restarts;

        Redlock(RedisServers servers) {
            this.servers = servers;
        }

        @Override
        public String description() {
            return "5 redis-server masters " + servers.uris() + ", no persistence";
        }

        @Override
        public Map<String, Object> engineConfig() {
            return config("redis", redis("redlock", servers.uris()));
        }

        @Override
        public List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("restart a master empty (SIGKILL, same port)", this::restartOne),
                    Step.killHolder(),
                    Step.server("restart a master empty (SIGKILL, same port)", this::restartOne),
                    Step.freezeHolder());
        }

        /** Restarts a master that holds the lock key now (one of the holder's majority), a new one each time. */
        private String restartOne() {
            List<RedisServer> all = servers.servers();
            RedisServer target = null;
            for (int i = 0; i < all.size() && target == null; i++) {
                RedisServer candidate = all.get((restarts + i) % all.size());
                if ("1".equals(redisCli(candidate.port(), "EXISTS", REDIS_KEY).strip())) {
                    target = candidate;
                }
            }
            boolean held = target != null;
            if (target == null) {
                target = all.get(restarts % all.size());
            }
            restarts++;
            long start = System.nanoTime();
            target.process().kill();
            target.process().restart();
            return "restarted " + target.uri() + (held ? " (it held the lock key)" : " (the lock key was on none)")
                    + ", serving again " + since(start) + " after the SIGKILL";
        }

        @Override
        public void close() {
            servers.close();
        }
    }

    private static boolean awaitRole(int port, String role, Duration timeout) {
        try {
            Await.until(
                    timeout,
                    () -> {
                        List<String> reply = redisCli(port, "ROLE").lines().toList();
                        return reply.size() >= 4 && role.equals(reply.get(0)) && "connected".equals(reply.get(3));
                    },
                    () -> "127.0.0.1:" + port + " to be a connected " + role);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Runs {@code redis-cli -p PORT args...} and returns its output (raw, one value per line). */
    static String redisCli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(Redirect.from(new File("/dev/null")))
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 10 s");
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
        }
    }
}
