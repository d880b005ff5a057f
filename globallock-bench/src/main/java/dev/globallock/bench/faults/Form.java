package dev.globallock.bench.faults;

import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.EtcdCluster;
import dev.globallock.tck.fixture.RedisCluster;
import dev.globallock.tck.fixture.RedisSentinel;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.RedisServers;
import dev.globallock.tck.fixture.ZooKeeperEnsemble;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The deployments the fault suite runs against, each with its fault schedule. Every server is a real
 * local process started by the {@code globallock-tck} fixtures.
 */
enum Form {
    REDIS_SINGLE("redis-single", "Redis, one server (no persistence)") {
        @Override
        Deployment start(Settings settings) {
            return new RedisSingle(RedisServer.start(), settings);
        }
    },
    REDIS_SENTINEL("redis-sentinel", "Redis Sentinel (master, replica, 3 sentinels)") {
        @Override
        Deployment start(Settings settings) {
            return new Sentinel(RedisSentinel.start());
        }
    },
    REDIS_CLUSTER("redis-cluster", "Redis Cluster (3 masters + 3 replicas)") {
        @Override
        Deployment start(Settings settings) {
            return new Cluster(RedisCluster.start(3, 1));
        }
    },
    REDIS_REDLOCK("redis-redlock", "Redlock over 5 independent masters (no persistence)") {
        @Override
        Deployment start(Settings settings) {
            return new Redlock(RedisServers.start(5));
        }
    },
    ETCD("etcd-cluster", "etcd, 3 members") {
        @Override
        Deployment start(Settings settings) {
            return new Etcd(EtcdCluster.start(3), settings);
        }
    },
    ZOOKEEPER("zookeeper-ensemble", "ZooKeeper, 3 servers") {
        @Override
        Deployment start(Settings settings) {
            return new ZooKeeper(ZooKeeperEnsemble.start(3), settings);
        }
    };

    /** The lock every worker contends on. */
    static final String LOCK_NAME = "fault-suite";

    private static final Duration RECOVERY = Duration.ofSeconds(30);

    private final String id;
    private final String title;

    Form(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The name on the command line ({@code --form redis-single}). */
    String id() {
        return id;
    }

    String title() {
        return title;
    }

    /** Starts the servers. */
    abstract Deployment start(Settings settings);

    static Optional<Form> byId(String id) {
        for (Form form : values()) {
            if (form.id.equals(id)) {
                return Optional.of(form);
            }
        }
        return Optional.empty();
    }

    /** One step of a fault schedule. */
    record Step(String label, History.FaultKind kind, Supplier<String> serverAction) {
        static Step killHolder() {
            return new Step("SIGKILL a holder", History.FaultKind.KILL_HOLDER, null);
        }

        static Step freezeHolder() {
            return new Step("SIGSTOP a holder past its lease", History.FaultKind.FREEZE_HOLDER, null);
        }

        static Step server(String label, Supplier<String> action) {
            return new Step(label, History.FaultKind.SERVER, action);
        }
    }

    /** Running servers of one form. */
    interface Deployment extends AutoCloseable {
        /** The servers and their addresses, for the report. */
        String description();

        /** The engine configuration (without the watchdog and overrides, which the run adds). */
        Map<String, Object> engineConfig();

        /** The faults to inject, in order. */
        List<Step> schedule();

        @Override
        void close();
    }

    private static Map<String, Object> config(String engine, Map<String, Object> section) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", engine);
        config.put(engine, section);
        return config;
    }

    private static Map<String, Object> redis(String mode, List<String> nodes) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("mode", mode);
        section.put("nodes", nodes);
        return section;
    }

    /** The lock's Redis key, as the engine names it (no key prefix). */
    static final String REDIS_KEY = "{" + LOCK_NAME + "}";

    private static final class RedisSingle implements Deployment {
        private final RedisServer server;
        private final Settings settings;

        RedisSingle(RedisServer server, Settings settings) {
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

    private static final class Sentinel implements Deployment {
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

    private static final class Cluster implements Deployment {
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

    private static final class Redlock implements Deployment {
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

    private static final class Etcd implements Deployment {
        private final EtcdCluster etcd;
        private final Settings settings;

        Etcd(EtcdCluster etcd, Settings settings) {
            this.etcd = etcd;
            this.settings = settings;
        }

        @Override
        public String description() {
            return "etcd 3.4 members " + etcd.endpoints() + " (heartbeat 50 ms, election timeout 500 ms)";
        }

        @Override
        public Map<String, Object> engineConfig() {
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("endpoints", etcd.endpoints());
            return config("etcd", section);
        }

        @Override
        public List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("SIGKILL the leader", this::killLeader),
                    Step.killHolder(),
                    Step.server("SIGSTOP the leader past the lease", this::freezeLeader),
                    Step.freezeHolder());
        }

        private String killLeader() {
            EtcdCluster.Member leader = etcd.leader();
            long start = System.nanoTime();
            leader.process().kill();
            EtcdCluster.Member next = etcd.awaitLeaderOtherThan(leader, RECOVERY);
            String elected = since(start);
            leader.process().restart();
            etcd.awaitHealthy(RECOVERY);
            return "killed " + leader.name() + "; " + next.name() + " leads " + elected + " after the kill; "
                    + leader.name() + " rejoined " + since(start) + " after";
        }

        private String freezeLeader() {
            EtcdCluster.Member leader = etcd.leader();
            long start = System.nanoTime();
            leader.process().pause();
            EtcdCluster.Member next = etcd.awaitLeaderOtherThan(leader, RECOVERY);
            String elected = since(start);
            Await.pause(
                    Duration.ofNanos(Math.max(0, settings.freeze().toNanos() - (System.nanoTime() - start))),
                    "the leader stays frozen past the lease");
            leader.process().resume();
            etcd.awaitHealthy(RECOVERY);
            return "froze " + leader.name() + " for " + since(start) + "; " + next.name() + " led " + elected
                    + " after the SIGSTOP";
        }

        @Override
        public void close() {
            etcd.close();
        }
    }

    private static final class ZooKeeper implements Deployment {
        private final ZooKeeperEnsemble zk;
        private final Settings settings;

        ZooKeeper(ZooKeeperEnsemble zk, Settings settings) {
            this.zk = zk;
            this.settings = settings;
        }

        @Override
        public String description() {
            return "Debian ZooKeeper 3.8, 3 server processes " + zk.connectString() + " (tickTime 500 ms)";
        }

        @Override
        public Map<String, Object> engineConfig() {
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("connect-string", zk.connectString());
            section.put("session-timeout", settings.lease().toMillis() + "ms");
            return config("zookeeper", section);
        }

        @Override
        public List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("SIGKILL the leader", this::killLeader),
                    Step.killHolder(),
                    Step.server("SIGSTOP the leader past the lease", this::freezeLeader),
                    Step.freezeHolder());
        }

        private String killLeader() {
            ZooKeeperEnsemble.Member leader = zk.leader();
            long start = System.nanoTime();
            leader.process().kill();
            ZooKeeperEnsemble.Member next = zk.awaitLeaderOtherThan(leader, RECOVERY);
            String elected = since(start);
            leader.process().restart();
            zk.awaitServing(RECOVERY);
            return "killed server." + leader.id() + "; server." + next.id() + " leads " + elected
                    + " after the kill; server." + leader.id() + " rejoined " + since(start) + " after";
        }

        private String freezeLeader() {
            ZooKeeperEnsemble.Member leader = zk.leader();
            long start = System.nanoTime();
            leader.process().pause();
            ZooKeeperEnsemble.Member next = zk.awaitLeaderOtherThan(leader, RECOVERY);
            String elected = since(start);
            Await.pause(
                    Duration.ofNanos(Math.max(0, settings.freeze().toNanos() - (System.nanoTime() - start))),
                    "the leader stays frozen past the lease");
            leader.process().resume();
            zk.awaitServing(RECOVERY);
            return "froze server." + leader.id() + " for " + since(start) + "; server." + next.id() + " led " + elected
                    + " after the SIGSTOP";
        }

        @Override
        public void close() {
            zk.close();
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

    static String since(long start) {
        return seconds(Duration.ofNanos(System.nanoTime() - start));
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
    }
}
