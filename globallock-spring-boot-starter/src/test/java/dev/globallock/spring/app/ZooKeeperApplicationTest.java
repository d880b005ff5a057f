package dev.globallock.spring.app;

import dev.globallock.tck.fixture.ZooKeeperServer;
import java.util.Map;

/** The two-node application on a real ZooKeeper. */
class ZooKeeperApplicationTest extends TwoNodeApplicationContract {
    private ZooKeeperServer zookeeper;

    @Override
    protected void startBackend() {
        zookeeper = ZooKeeperServer.start();
    }

    @Override
    protected void closeBackend() {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Override
    protected String engine() {
        return "zookeeper";
    }

    @Override
    protected Map<String, Object> engineProperties() {
        return Map.of(
                "zookeeper.connect-string", zookeeper.connectString(),
                "zookeeper.session-timeout", "10s",
                "zookeeper.connection-timeout", "2s");
    }

    @Override
    protected boolean stopServer() {
        zookeeper.process().stop();
        return true;
    }

    @Override
    protected void restartServer() {
        zookeeper.process().restart();
    }
}
