package dev.globallock.spring.app;

import dev.globallock.tck.fixture.EtcdServer;
import java.util.Map;

/** The two-node application on a real etcd. */
class EtcdApplicationTest extends TwoNodeApplicationContract {
    private EtcdServer etcd;

    @Override
    protected void startBackend() {
        etcd = EtcdServer.start();
    }

    @Override
    protected void closeBackend() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected String engine() {
        return "etcd";
    }

    @Override
    protected Map<String, Object> engineProperties() {
        return Map.of("etcd.endpoints[0]", etcd.endpoint(), "etcd.request-timeout", "1s");
    }

    @Override
    protected boolean stopServer() {
        etcd.process().stop();
        return true;
    }

    @Override
    protected void restartServer() {
        etcd.process().restart();
    }
}
