/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockEventListener;
import dev.globallock.LockHandle;
import dev.globallock.micrometer.GlobalLockMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter makes no manager when the application has one (and then needs no {@code
 * globallock.*} properties), closes the one it made with the context, hands every application
 * {@link LockEventListener} bean to it, and leaves metrics and health out when their libraries are
 * missing.
 */
class GlobalLockBackOffTest {
    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class));

    @Test
    void anApplicationManagerIsUsedAndNoneIsMade() {
        runner.withUserConfiguration(OwnManager.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(GlobalLockManager.class);
            assertThat(context.getBean(GlobalLockManager.class)).isSameAs(OwnManager.made.get(0));
            OwnJob job = context.getBean(OwnJob.class);
            assertThat(job.run(null)).isEqualTo("own-job");
        });
    }

    @Test
    void theManagerIsClosedWithTheContext() {
        GlobalLockManager[] made = new GlobalLockManager[1];
        runner.withPropertyValues("globallock.engine=memory", "globallock.memory.namespace=" + UUID.randomUUID())
                .run(context -> made[0] = context.getBean(GlobalLockManager.class));
        assertThat(made[0].toString()).endsWith(", closed}");
    }

    @Test
    void everyListenerBeanHearsTheManagersEvents() {
        runner.withPropertyValues("globallock.engine=memory", "globallock.memory.namespace=" + UUID.randomUUID())
                .withUserConfiguration(Listeners.class)
                .run(context -> {
                    context.getBean(GlobalLockManager.class).lock("a").close();
                    assertThat(context.getBean("first", Recorder.class).events).containsExactly("acquired a");
                    assertThat(context.getBean("second", Recorder.class).events).containsExactly("acquired a");
                    assertThat(context.getBean(GlobalLockMetrics.class).held()).isZero();
                });
    }

    @Test
    void withoutMicrometerOrBootHealthThereAreNoMetricsAndNoHealthIndicator() {
        runner.withPropertyValues("globallock.engine=memory", "globallock.memory.namespace=" + UUID.randomUUID())
                .withClassLoader(new FilteredClassLoader(
                        "io.micrometer.",
                        HealthIndicatorFactoryBean.BOOT_4_PACKAGE,
                        HealthIndicatorFactoryBean.BOOT_3_PACKAGE))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GlobalLockManager.class);
                    assertThat(context).doesNotHaveBean("globalLockMetrics");
                    assertThat(context).doesNotHaveBean("globallockHealthIndicator");
                });
    }

    @Test
    void theHealthIndicatorCanBeTurnedOff() {
        runner.withPropertyValues(
                        "globallock.engine=memory",
                        "globallock.memory.namespace=" + UUID.randomUUID(),
                        "management.health.globallock.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("globallockHealthIndicator"));
        runner.withPropertyValues(
                        "globallock.engine=memory",
                        "globallock.memory.namespace=" + UUID.randomUUID(),
                        "management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("globallockHealthIndicator"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnManager {
        static final List<GlobalLockManager> made = new CopyOnWriteArrayList<>();

        @Bean
        GlobalLockManager ownManager() {
            GlobalLockManager manager = GlobalLockManager.builder()
                    .config(Map.of(
                            "engine",
                            "memory",
                            "memory",
                            Map.of("namespace", UUID.randomUUID().toString())))
                    .defaultWaitTime(Duration.ofSeconds(1))
                    .build();
            made.clear();
            made.add(manager);
            return manager;
        }

        @Bean
        OwnJob ownJob() {
            return new OwnJob();
        }
    }

    public static class OwnJob {
        @Locked(name = "own-job")
        public String run(LockHandle lock) {
            return lock.name();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Listeners {
        @Bean
        Recorder first() {
            return new Recorder();
        }

        @Bean
        Recorder second() {
            return new Recorder();
        }
    }

    static final class Recorder implements LockEventListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void acquired(String name, Duration waited, boolean reentrant) {
            events.add("acquired " + name);
        }
    }
}
