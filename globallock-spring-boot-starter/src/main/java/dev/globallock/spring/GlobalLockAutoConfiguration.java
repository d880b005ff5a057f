/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.Durations;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockEventListener;
import dev.globallock.micrometer.GlobalLockMetrics;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import redis.clients.jedis.RedisClient;

/**
 * Spring Boot auto-configuration for globallock (Boot 4, and Boot 3.5 with the same jar):
 *
 * <ul>
 *   <li>one {@link GlobalLockManager} bean from the {@code globallock.*} properties, which are the
 *       library's configuration keys as they are (closed with the context; none is made when the
 *       application defines its own), on the application's Redis, etcd or ZooKeeper client bean
 *       when the engine's section names no server;
 *   <li>{@link Locked} methods;
 *   <li>the {@code globallock} health indicator when Spring Boot's health support is present;
 *   <li>{@link GlobalLockMetrics} when Micrometer is.
 * </ul>
 *
 * <p>Properties of the starter itself: {@code management.health.globallock.enabled} (true), {@code
 * management.health.globallock.timeout} (2s), {@code management.metrics.globallock.lock-name-tag}
 * (false).
 */
@AutoConfiguration
public class GlobalLockAutoConfiguration {
    static final String HEALTH_ENABLED = "management.health.globallock.enabled";
    static final String HEALTH_TIMEOUT = "management.health.globallock.timeout";
    static final String LOCK_NAME_TAG = "management.metrics.globallock.lock-name-tag";

    @Bean
    GlobalLockEngineView globalLockEngineView() {
        return new GlobalLockEngineView();
    }

    /** The manager, from the {@code globallock.*} properties. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(GlobalLockManager.class)
    public GlobalLockManager globalLockManager(
            ConfigurableEnvironment environment,
            ObjectProvider<LockEventListener> listeners,
            ObjectProvider<ApplicationClientEngine> clients,
            GlobalLockEngineView engines) {
        return GlobalLockManagers.open(
                GlobalLockEnvironment.read(environment),
                CompositeLockEventListener.of(listeners.orderedStream().collect(Collectors.toList())),
                clients.orderedStream().collect(Collectors.toList()),
                engines::seen);
    }

    @Bean
    static LockedMethodPostProcessor globalLockLockedMethodPostProcessor(
            ObjectProvider<GlobalLockManager> managers, Environment environment) {
        return new LockedMethodPostProcessor(managers, environment);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.globallock.redis.RedisLockEngine", "redis.clients.jedis.RedisClient"})
    static class RedisClientConfiguration {
        @Bean
        ApplicationClientEngine globalLockRedisApplicationClient(ObjectProvider<RedisClient> clients) {
            return new RedisApplicationClient(clients);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.globallock.etcd.EtcdLockEngine", "io.etcd.jetcd.Client"})
    static class EtcdClientConfiguration {
        @Bean
        ApplicationClientEngine globalLockEtcdApplicationClient(ObjectProvider<Client> clients) {
            return new EtcdApplicationClient(clients);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {"dev.globallock.zookeeper.ZooKeeperLockEngine", "org.apache.curator.framework.CuratorFramework"})
    static class ZooKeeperClientConfiguration {
        @Bean
        ApplicationClientEngine globalLockZooKeeperApplicationClient(ObjectProvider<CuratorFramework> clients) {
            return new ZooKeeperApplicationClient(clients);
        }
    }

    /** Meters fed by the manager's events; Spring Boot binds every MeterBinder bean to its registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {"io.micrometer.core.instrument.MeterRegistry", "dev.globallock.micrometer.GlobalLockMetrics"})
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        GlobalLockMetrics globalLockMetrics(Environment environment, ObjectProvider<GlobalLockManager> managers) {
            return GlobalLockMetrics.builder()
                    .engine(() -> {
                        GlobalLockManager manager = managers.getIfUnique();
                        return manager == null ? null : manager.engineName();
                    })
                    .lockNameTag(environment.getProperty(LOCK_NAME_TAG, Boolean.class, false))
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = HealthIndicatorFactoryBean.BOOT_4_PACKAGE + ".HealthIndicator")
    @Conditional(HealthEnabled.class)
    static class Boot4HealthConfiguration {
        @Bean
        HealthIndicatorFactoryBean globallockHealthIndicator(
                ObjectProvider<GlobalLockManager> managers,
                ObjectProvider<GlobalLockEngineView> engines,
                Environment environment) {
            return new HealthIndicatorFactoryBean(
                    new GlobalLockHealthCheck(managers, engines, healthTimeout(environment)),
                    HealthIndicatorFactoryBean.BOOT_4_PACKAGE,
                    getClass().getClassLoader());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = HealthIndicatorFactoryBean.BOOT_3_PACKAGE + ".HealthIndicator")
    @ConditionalOnMissingClass(HealthIndicatorFactoryBean.BOOT_4_PACKAGE + ".HealthIndicator")
    @Conditional(HealthEnabled.class)
    static class Boot3HealthConfiguration {
        @Bean
        HealthIndicatorFactoryBean globallockHealthIndicator(
                ObjectProvider<GlobalLockManager> managers,
                ObjectProvider<GlobalLockEngineView> engines,
                Environment environment) {
            return new HealthIndicatorFactoryBean(
                    new GlobalLockHealthCheck(managers, engines, healthTimeout(environment)),
                    HealthIndicatorFactoryBean.BOOT_3_PACKAGE,
                    getClass().getClassLoader());
        }
    }

    static Duration healthTimeout(Environment environment) {
        String text = environment.getProperty(HEALTH_TIMEOUT, "2s");
        try {
            Duration timeout = Durations.parse(text);
            if (!timeout.isZero()) {
                return timeout;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(HEALTH_TIMEOUT + " was '" + text + "' but " + e.getMessage(), e);
        }
        throw new IllegalStateException(HEALTH_TIMEOUT + " was '" + text + "' but it must be longer than zero");
    }

    /** {@code management.health.globallock.enabled}, else {@code management.health.defaults.enabled}, else true. */
    static final class HealthEnabled implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment environment = context.getEnvironment();
            Boolean enabled = environment.getProperty(HEALTH_ENABLED, Boolean.class);
            if (enabled == null) {
                enabled = environment.getProperty("management.health.defaults.enabled", Boolean.class, true);
            }
            return enabled;
        }
    }
}
