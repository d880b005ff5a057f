/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import static dev.globallock.spring.GlobalLockMisconfigurationTest.failureText;
import static dev.globallock.spring.GlobalLockMisconfigurationTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.spring.GlobalLockAutoConfiguration;
import dev.globallock.tck.fixture.RedisServer;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import redis.clients.jedis.RedisClient;

/** The two-node application on a real Redis. */
class RedisApplicationTest extends TwoNodeApplicationContract {
    private RedisServer redis;

    @Override
    protected void startBackend() {
        redis = RedisServer.start();
    }

    @Override
    protected void closeBackend() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected String engine() {
        return "redis";
    }

    @Override
    protected Map<String, Object> engineProperties() {
        return Map.of("redis.nodes[0]", redis.uri(), "redis.failover-timeout", "2s");
    }

    @Override
    protected boolean stopServer() {
        redis.process().stop();
        return true;
    }

    @Override
    protected void restartServer() {
        redis.process().restart();
    }

    /** The application's client talks to database 3: a lock key there proves the engine used it. */
    private ApplicationContextRunner withApplicationClient() {
        AppClient.client = RedisClient.create(URI.create(redis.uri() + "/3"));
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
                .withUserConfiguration(AppClient.class)
                .withPropertyValues("globallock.engine=redis");
    }

    @Test
    @Order(10)
    void theApplicationsRedisClientIsUsedWhenNoNodesAreSetAndNotClosed() {
        withApplicationClient()
                .withPropertyValues("globallock.redis.renew-batch-size=10", "globallock.key-prefix=app:")
                .run(context -> {
                    GlobalLockManager locks = context.getBean(GlobalLockManager.class);
                    try (LockHandle lock = locks.lock("reuse-proof");
                            RedisClient database0 = RedisClient.create(redis.host(), redis.port())) {
                        assertThat(AppClient.client.exists("{app:reuse-proof}")).isTrue();
                        assertThat(database0.exists("{app:reuse-proof}")).isFalse();
                    }
                    assertThat(TwoNodeApplicationContract.health(context)).containsEntry("status", "UP");
                });
        try (RedisClient client = AppClient.client) {
            assertThat(client.ping()).isEqualTo("PONG");
        }
    }

    @Test
    @Order(11)
    void withNodesSetTheApplicationsClientIsNotUsed() {
        withApplicationClient()
                .withPropertyValues("globallock.redis.nodes[0]=" + redis.uri())
                .run(context -> {
                    try (LockHandle lock =
                                    context.getBean(GlobalLockManager.class).lock("own-connections");
                            RedisClient database0 = RedisClient.create(redis.host(), redis.port())) {
                        assertThat(database0.exists("{own-connections}")).isTrue();
                        assertThat(AppClient.client.exists("{own-connections}")).isFalse();
                    }
                });
        AppClient.client.close();
    }

    @Test
    @Order(12)
    void connectionSettingsNextToTheApplicationsClientAreErrorsWithoutSecrets() {
        String secret = "s3cret-" + UUID.randomUUID();
        ApplicationContextRunner wrong = withApplicationClient()
                .withPropertyValues(
                        "globallock.redis.password=" + secret,
                        "globallock.redis.user=app",
                        "globallock.redis.password-file=/run/secrets/redis",
                        "globallock.redis.tls.enabled=true",
                        "globallock.redis.mode=cluster",
                        "globallock.redis.renew-batch-size=0");
        String because = "which globallock uses because globallock.redis.nodes is not set: configure it on that"
                + " client, or set globallock.redis.nodes to have globallock connect by itself";
        assertThat(problems(wrong))
                .containsExactlyInAnyOrder(
                        "globallock.redis.password was '******' but it belongs to the application's RedisClient bean, "
                                + because,
                        "globallock.redis.user was 'app' but it belongs to the application's RedisClient bean, "
                                + because,
                        "globallock.redis.password-file was '******' but it belongs to the application's RedisClient"
                                + " bean, " + because,
                        "globallock.redis.tls was '{...}' but it belongs to the application's RedisClient bean, "
                                + because,
                        "globallock.redis.mode was 'cluster' but it must be single when the application's RedisClient"
                                + " bean is used: set redis.nodes for a topology of globallock's own",
                        "globallock.redis.renew-batch-size was '0' but it must be between 1 and 100000");
        wrong.run(
                context -> assertThat(failureText(context.getStartupFailure())).doesNotContain(secret));
        AppClient.client.close();
    }

    @Configuration(proxyBeanMethods = false)
    static class AppClient {
        static RedisClient client;

        @Bean(destroyMethod = "")
        RedisClient applicationRedisClient() {
            return client;
        }
    }
}
