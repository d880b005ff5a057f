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
import dev.globallock.tck.fixture.ServerProcess;
import dev.globallock.tck.fixture.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The consensus forms' deployments (an etcd cluster, a ZooKeeper ensemble) and their fault schedules. */
final class QuorumDeployments {
    private QuorumDeployments() {}

    /**
     * What both consensus deployments do the same way: the schedule, and killing or freezing the
     * leader of members of type {@code M} until another member leads.
     */
    abstract static class Quorum<M> implements Deployment {
        final Settings settings;

        Quorum(Settings settings) {
            this.settings = settings;
        }

        abstract M leader();

        abstract M awaitLeaderOtherThan(M former);

        abstract ServerProcess process(M member);

        /** Waits until every member serves again. */
        abstract void awaitRecovered();

        /** A member's name for the report. */
        abstract String label(M member);

        @Override
        public final List<Step> schedule() {
            return List.of(
                    Step.killHolder(),
                    Step.freezeHolder(),
                    Step.server("SIGKILL the leader", this::killLeader),
                    Step.killHolder(),
                    Step.server("SIGSTOP the leader past the lease", this::freezeLeader),
                    Step.freezeHolder());
        }

        private String killLeader() {
            M leader = leader();
            long start = System.nanoTime();
            process(leader).kill();
            M next = awaitLeaderOtherThan(leader);
            String elected = since(start);
            process(leader).restart();
            awaitRecovered();
            return "killed " + label(leader) + "; " + label(next) + " leads " + elected + " after the kill; "
                    + label(leader) + " rejoined " + since(start) + " after";
        }

        private String freezeLeader() {
            M leader = leader();
            long start = System.nanoTime();
            process(leader).pause();
            M next = awaitLeaderOtherThan(leader);
            String elected = since(start);
            Await.pause(
                    Duration.ofNanos(Math.max(0, settings.freeze().toNanos() - (System.nanoTime() - start))),
                    "the leader stays frozen past the lease");
            process(leader).resume();
            awaitRecovered();
            return "froze " + label(leader) + " for " + since(start) + "; " + label(next) + " led " + elected
                    + " after the SIGSTOP";
        }
    }

    static final class Etcd extends Quorum<EtcdCluster.Member> {
        private final EtcdCluster etcd;

        Etcd(EtcdCluster etcd, Settings settings) {
            super(settings);
            this.etcd = etcd;
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
        EtcdCluster.Member leader() {
            return etcd.leader();
        }

        @Override
        EtcdCluster.Member awaitLeaderOtherThan(EtcdCluster.Member former) {
            return etcd.awaitLeaderOtherThan(former, RECOVERY);
        }

        @Override
        ServerProcess process(EtcdCluster.Member member) {
            return member.process();
        }

        @Override
        void awaitRecovered() {
            etcd.awaitHealthy(RECOVERY);
        }

        @Override
        String label(EtcdCluster.Member member) {
            return member.name();
        }

        @Override
        public void close() {
            etcd.close();
        }
    }

    static final class ZooKeeper extends Quorum<ZooKeeperEnsemble.Member> {
        private final ZooKeeperEnsemble zk;

        ZooKeeper(ZooKeeperEnsemble zk, Settings settings) {
            super(settings);
            this.zk = zk;
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
        ZooKeeperEnsemble.Member leader() {
            return zk.leader();
        }

        @Override
        ZooKeeperEnsemble.Member awaitLeaderOtherThan(ZooKeeperEnsemble.Member former) {
            return zk.awaitLeaderOtherThan(former, RECOVERY);
        }

        @Override
        ServerProcess process(ZooKeeperEnsemble.Member member) {
            return member.process();
        }

        @Override
        void awaitRecovered() {
            zk.awaitServing(RECOVERY);
        }

        @Override
        String label(ZooKeeperEnsemble.Member member) {
            return "server." + member.id();
        }

        @Override
        public void close() {
            zk.close();
        }
    }
}
