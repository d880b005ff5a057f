/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.spring.GlobalLockAutoConfiguration;
import dev.globallock.tck.fixture.EtcdServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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

    /** The application's client has the namespace {@code app/}: lock keys under it prove it was used. */
    @Test
    @Order(10)
    void theApplicationsEtcdClientIsUsedWhenNoEndpointsAreSetAndNotClosed() throws Exception {
        ByteSequence app = ByteSequence.from("app/", StandardCharsets.UTF_8);
        AppClient.client =
                Client.builder().endpoints(etcd.endpoint()).namespace(app).build();
        try (Client admin = Client.builder().endpoints(etcd.endpoint()).build()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
                    .withUserConfiguration(AppClient.class)
                    .withPropertyValues("globallock.engine=etcd", "globallock.etcd.namespace=/reused/")
                    .run(context -> {
                        try (LockHandle lock =
                                context.getBean(GlobalLockManager.class).lock("reuse-proof")) {
                            List<KeyValue> keys = admin.getKVClient()
                                    .get(app, GetOption.builder().isPrefix(true).build())
                                    .get(10, TimeUnit.SECONDS)
                                    .getKvs();
                            assertThat(keys)
                                    .anySatisfy(kv -> assertThat(kv.getKey().toString(StandardCharsets.UTF_8))
                                            .startsWith("app//reused/")
                                            .contains("reuse-proof"));
                        }
                        assertThat(TwoNodeApplicationContract.health(context)).containsEntry("status", "UP");
                    });
            // still open: the engine never closes the application's client
            assertThat(AppClient.client.getKVClient().get(app).get(10, TimeUnit.SECONDS))
                    .isNotNull();
        } finally {
            AppClient.client.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AppClient {
        static Client client;

        @Bean(destroyMethod = "")
        Client applicationEtcdClient() {
            return client;
        }
    }
}
