/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockState;
import dev.globallock.LockTimeoutException;
import dev.globallock.micrometer.GlobalLockMetrics;
import dev.globallock.tck.fixture.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code globallock.*} is the library's configuration as it is: every key of the reference
 * configuration reaches the library unchanged, in every way Spring lets one write it, and the
 * manager the starter makes behaves as those keys say.
 */
class GlobalLockPropertiesTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final String namespace = "properties-" + UUID.randomUUID();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
            .withPropertyValues("globallock.engine=memory", "globallock.memory.namespace=" + namespace);

    @Test
    void everyKeyOfTheReferenceConfigurationReachesTheLibraryAsItIsInApplicationYaml() throws IOException {
        String reference = reference();
        String applicationYaml =
                "globallock:\n" + reference.lines().map(line -> "  " + line).collect(Collectors.joining("\n")) + "\n";
        StandardEnvironment environment = new StandardEnvironment();
        for (PropertySource<?> source : new YamlPropertySourceLoader()
                .load("application.yml", new ByteArrayResource(applicationYaml.getBytes(StandardCharsets.UTF_8)))) {
            environment.getPropertySources().addFirst(source);
        }

        // a key with nothing under it ("watchdog:" whose keys are all commented out) is null in YAML and
        // "" in Spring's property sources; the library reads both as an empty section (EmptySectionTest)
        Map<String, Object> expected = scalarsAsText(new Yaml().<Object>load(reference));
        expected.replaceAll((key, value) -> value == null ? "" : value);
        // the library's ${VAR:-default} in file.directory, resolved the Spring way the starter reads it
        String state = System.getenv("XDG_STATE_HOME");
        Map<String, Object> file = scalarsAsText(expected.get("file"));
        expected.put("file", file);
        file.put("directory", (state == null ? "~/.local/state" : state) + "/globallock/locks");
        Map<String, Object> read = scalarsAsText(GlobalLockEnvironment.read(environment));
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void environmentVariablesAndPropertiesFilesBindToTheLibraryKeys() {
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of(
                                "GLOBALLOCK_ENGINE", "redis",
                                "GLOBALLOCK_KEYPREFIX", "billing:",
                                "GLOBALLOCK_DEFAULTS_WAITTIME", "5s",
                                "GLOBALLOCK_REDIS_NODES_0_", "redis://10.0.0.1:6379",
                                "GLOBALLOCK_REDIS_RENEWBATCHSIZE", "50",
                                "GLOBALLOCK_ZOOKEEPER_RETRY_MAXRETRIES", "5")));
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "application.properties",
                        Map.of(
                                "globallock.redis.nodes[0]", "redis://low:1",
                                "globallock.redis.nodes[1]", "redis://low:2",
                                "globallock.defaults.lease-time", "${lease:9s}",
                                "globallock.watchdog.lease", "${GLOBALLOCK_TEST_UNSET_VARIABLE:-12s}",
                                "globallock.operationTimeout", "3s")));

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("engine", "redis");
        expected.put("key-prefix", "billing:");
        // a list comes whole from the first source that has it, as Spring binds lists
        expected.put("redis", Map.of("nodes", List.of("redis://10.0.0.1:6379"), "renew-batch-size", "50"));
        expected.put("zookeeper", Map.of("retry", Map.of("max-retries", "5")));
        expected.put("defaults", Map.of("wait-time", "5s", "lease-time", "9s"));
        expected.put("watchdog", Map.of("lease", "12s"));
        expected.put("operation-timeout", "3s");
        assertThat(GlobalLockEnvironment.read(environment)).isEqualTo(expected);
    }

    @Test
    void keyPrefixAndTheEngineSectionAreTheManagers() {
        runner.withPropertyValues("globallock.key-prefix=billing:").run(context -> {
            GlobalLockManager starter = context.getBean(GlobalLockManager.class);
            try (GlobalLockManager prefixed = library(Map.of("key-prefix", "billing:"));
                    GlobalLockManager unprefixed = library(Map.of());
                    LockHandle held = starter.lock("invoice-1")) {
                assertThat(prefixed.tryLock("invoice-1").isLocked()).isFalse();
                try (LockHandle other = unprefixed.tryLock("invoice-1")) {
                    assertThat(other.isLocked()).isTrue();
                }
            }
        });
    }

    @Test
    void theDefaultWaitTimeBoundsAWait() {
        runner.withPropertyValues("globallock.defaults.wait-time=200ms").run(context -> {
            GlobalLockManager starter = context.getBean(GlobalLockManager.class);
            try (GlobalLockManager other = library(Map.of());
                    LockHandle held = other.lock("report")) {
                assertThatThrownBy(() -> starter.lock("report"))
                        .isInstanceOf(LockTimeoutException.class)
                        .hasMessage("lock 'report' was not acquired within 200ms");
            }
        });
    }

    @Test
    void theDefaultLeaseTimeEndsALease() {
        runner.withPropertyValues("globallock.defaults.lease-time=200ms").run(context -> {
            LockHandle lock = context.getBean(GlobalLockManager.class).lock("report");
            // EXPIRED by the manager's timer, or LOST when the engine dropped it a moment sooner
            Await.until(AWAIT, () -> !lock.isLocked(), () -> "the lease to end: " + lock.state());
            assertThat(lock.state()).isIn(LockState.EXPIRED, LockState.LOST);
        });
    }

    @Test
    void theWatchdogLeaseIsRenewedEveryThirdOfIt() {
        runner.withPropertyValues("globallock.watchdog.lease=300ms").run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(GlobalLockMetrics.class).bindTo(registry);
            try (LockHandle lock = context.getBean(GlobalLockManager.class).lock("report")) {
                Await.until(
                        AWAIT,
                        () -> registry.get(GlobalLockMetrics.RENEWALS)
                                        .tags("outcome", "renewed")
                                        .counter()
                                        .count()
                                >= 2,
                        () -> "two renewals within a second of a 300ms watchdog lease");
                assertThat(lock.isLocked()).isTrue();
            }
        });
    }

    @Test
    void theFileEngineSectionPicksTheDirectory(@TempDir Path directory) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
                .withPropertyValues("globallock.engine=file", "globallock.file.directory=" + directory)
                .run(context -> {
                    try (LockHandle lock =
                            context.getBean(GlobalLockManager.class).lock("nightly")) {
                        assertThat(lock.isLocked()).isTrue();
                        try (var files = Files.list(directory)) {
                            assertThat(files.map(f -> f.getFileName().toString()))
                                    .anyMatch(f -> f.contains("nightly"));
                        }
                    }
                });
    }

    private GlobalLockManager library(Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>(extra);
        config.put("engine", "memory");
        config.put("memory", Map.of("namespace", namespace));
        return GlobalLockManager.create(config);
    }

    private static String reference() throws IOException {
        try (InputStream in = GlobalLockManager.class.getResourceAsStream("globallock-reference.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T scalarsAsText(Object value) {
        if (value instanceof Map) {
            Map<String, Object> result = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> result.put(String.valueOf(k), scalarsAsText(v)));
            return (T) result;
        }
        if (value instanceof List) {
            List<Object> result = new ArrayList<>();
            ((List<?>) value).forEach(item -> result.add(scalarsAsText(item)));
            return (T) result;
        }
        return (T) (value == null ? null : String.valueOf(value));
    }
}
