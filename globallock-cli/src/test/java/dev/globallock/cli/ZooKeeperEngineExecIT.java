/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.tck.fixture.ZooKeeperServer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@code globallock exec} on a real ZooKeeper server (Debian's 3.8 process). */
class ZooKeeperEngineExecIT extends ExecContract {
    private static ZooKeeperServer zookeeper;
    private static CuratorFramework admin;
    private String namespace;

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zookeeper = ZooKeeperServer.start();
        admin = CuratorFrameworkFactory.newClient(zookeeper.connectString(), new RetryOneTime(100));
        admin.start();
        admin.blockUntilConnected();
    }

    @AfterAll
    static void stopZooKeeper() {
        if (admin != null) {
            admin.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Override
    String configuration(Path directory) {
        namespace = "it-" + UUID.randomUUID().toString().substring(0, 8);
        // a dead holder's session (and lock node) ends after the session timeout
        return "engine: zookeeper\nzookeeper:\n  connect-string: \"" + zookeeper.connectString() + "\"\n  namespace: "
                + namespace + "\n  session-timeout: 2s\n";
    }

    /** Deletes every lock node of this test (only the lock in question is held then). */
    @Override
    void forget(String name) throws Exception {
        deleteEphemeralsUnder("/" + namespace);
    }

    private void deleteEphemeralsUnder(String path) throws Exception {
        for (String child : admin.getChildren().forPath(path)) {
            String childPath = path + "/" + child;
            Stat stat = admin.checkExists().forPath(childPath);
            if (stat != null && stat.getEphemeralOwner() != 0) {
                admin.delete().forPath(childPath);
            } else if (stat != null) {
                deleteEphemeralsUnder(childPath);
            }
        }
    }

    @Override
    List<String> crashableHolderOptions() {
        return List.of();
    }
}
