/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.spring.GlobalLockAutoConfiguration;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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

    /** The application's client has the namespace {@code app}: lock nodes under it prove it was used. */
    @Test
    @Order(10)
    void theApplicationsCuratorClientIsUsedWhenNoConnectStringIsSetAndNotClosed() throws Exception {
        AppClient.client = CuratorFrameworkFactory.builder()
                .connectString(zookeeper.connectString())
                .namespace("app")
                .retryPolicy(new RetryOneTime(100))
                .build();
        AppClient.client.start();
        try (CuratorFramework admin =
                CuratorFrameworkFactory.newClient(zookeeper.connectString(), new RetryOneTime(100))) {
            admin.start();
            assertThat(AppClient.client.blockUntilConnected(10, TimeUnit.SECONDS))
                    .isTrue();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
                    .withUserConfiguration(AppClient.class)
                    .withPropertyValues("globallock.engine=zookeeper", "globallock.zookeeper.namespace=reused")
                    .run(context -> {
                        try (LockHandle lock =
                                context.getBean(GlobalLockManager.class).lock("reuse-proof")) {
                            assertThat(lock.isLocked()).isTrue();
                            assertThat(admin.getChildren().forPath("/app/reused"))
                                    .isNotEmpty();
                        }
                        assertThat(TwoNodeApplicationContract.health(context)).containsEntry("status", "UP");
                    });
            // still started: the engine never closes the application's client
            assertThat(AppClient.client.checkExists().forPath("/reused")).isNotNull();
        } finally {
            AppClient.client.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AppClient {
        static CuratorFramework client;

        @Bean(destroyMethod = "")
        CuratorFramework applicationCuratorClient() {
            return client;
        }
    }
}
