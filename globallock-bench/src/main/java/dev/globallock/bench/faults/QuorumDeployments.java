/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import static dev.globallock.bench.faults.Form.RECOVERY;
import static dev.globallock.bench.faults.Form.config;
import static dev.globallock.bench.faults.Form.since;

import dev.globallock.bench.faults.Form.Deployment;
import dev.globallock.bench.faults.Form.Step;
import dev.globallock.tck.fixture.Await;
import dev.globallock.tck.fixture.EtcdCluster;
import dev.globallock.tck.fixture.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The consensus forms' deployments (an etcd cluster, a ZooKeeper ensemble) and their fault schedules. */
final class QuorumDeployments {
    private QuorumDeployments() {}

    static final class Etcd implements Deployment {
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

    static final class ZooKeeper implements Deployment {
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
}
