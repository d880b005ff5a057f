/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.micrometer.GlobalLockMetrics;
import dev.globallock.tck.fixture.Await;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Spring Boot application on one engine, started twice in one JVM as two nodes sharing one
 * backend: a {@code @Scheduled} job with {@code @Locked(onBusy = SKIP, minHold = 70ms)} ticking
 * every 100 ms on both nodes (the second node's schedule 20 ms behind, like a skewed clock), a
 * {@code @Locked} service with a SpEL name called from many threads on both nodes, the health
 * indicator through a backend outage, and the meters Spring Boot binds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class TwoNodeApplicationContract {
    static final Duration AWAIT = Duration.ofSeconds(30);
    static final long SKEW_MILLIS = 20;

    private final Ledger ledger = new Ledger();
    private ConfigurableApplicationContext nodeA;
    private ConfigurableApplicationContext nodeB;

    /** Starts the backend. */
    protected abstract void startBackend();

    /** Stops and deletes the backend. */
    protected abstract void closeBackend();

    /** The engine's name, as in {@code globallock.engine}. */
    protected abstract String engine();

    /** The {@code globallock.*} properties that point at the backend. */
    protected abstract Map<String, Object> engineProperties();

    /** Stops the backend's server, keeping its port and data; false when there is no server. */
    protected boolean stopServer() {
        return false;
    }

    /** Starts it again after {@link #stopServer()}. */
    protected void restartServer() {}

    @BeforeAll
    void startNodes() {
        startBackend();
        nodeA = start("A", 0);
        nodeB = start("B", SKEW_MILLIS);
    }

    @AfterAll
    void stopNodes() {
        try {
            for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {nodeA, nodeB}) {
                if (node != null) {
                    node.close();
                }
            }
        } finally {
            closeBackend();
        }
    }

    ConfigurableApplicationContext start(String node, long skewMillis) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.main.banner-mode", "off");
        properties.put("node.name", node);
        properties.put("node.skew-ms", skewMillis);
        properties.put("management.health.globallock.timeout", "1s");
        properties.put("globallock.engine", engine());
        properties.put("globallock.operation-timeout", "5s");
        engineProperties().forEach((key, value) -> properties.put("globallock." + key, value));
        return new SpringApplicationBuilder(LockedApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .initializers(context -> context.getBeanFactory().registerSingleton("ledger", ledger))
                .run();
    }

    @Test
    @Order(1)
    void theScheduledJobRunsOnOneNodePerTickNeverTwoAtOnceAndHoldsItsLockForMinHold() {
        // past the first ticks, which also connect and warm up
        Await.until(
                AWAIT,
                () -> attempts(nodeA) >= 5 && attempts(nodeB) >= 5,
                () -> "five ticks on each node before recording");
        ledger.record(true);
        Await.pause(Duration.ofSeconds(3), "the job ticks about 30 times on each node");
        ledger.record(false);
        Await.until(AWAIT, () -> ledger.running() == 0, () -> "the last run to end");

        List<Ledger.Run> runs = ledger.runs();
        runs.sort(Comparator.comparingLong(run -> run.startNanos));
        assertThat(ledger.overlaps()).as("runs that overlapped: %s", runs).isZero();
        // One node per tick holds while runs start less than minHold - skew (70 - 20 ms) after they are
        // due: the first node's hold then covers the other node's run of that tick. A machine too busy
        // to start a run in time (a loaded CI host) breaks the premise, not the lock; those ticks are
        // left out, and enough must remain for the check to mean something.
        Map<Long, List<Ledger.Run>> byTick =
                runs.stream().collect(Collectors.groupingBy(run -> run.tick)).entrySet().stream()
                        .filter(tick -> tick.getValue().stream().allMatch(run -> run.lateMillis < 50))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(byTick).as("ticks whose runs all started in time: %s", runs).hasSizeGreaterThanOrEqualTo(10);
        assertThat(byTick.values()).as("ticks run by more than one node").allSatisfy(tick -> assertThat(tick)
                .hasSize(1));
        assertThat(runs).as("the ticks that ran, of about 30").hasSizeGreaterThanOrEqualTo(20);
        for (int i = 1; i < runs.size(); i++) {
            Ledger.Run before = runs.get(i - 1);
            Ledger.Run after = runs.get(i);
            assertThat(after.startNanos)
                    .as("%s started before %s ended", after, before)
                    .isGreaterThan(before.endNanos);
            // the lock is held 70 ms from its acquisition, which came just before the run started
            assertThat(Duration.ofNanos(after.startNanos - before.startNanos))
                    .as("%s after %s", after, before)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(65));
        }
        // the node 20 ms behind found the lock taken: both nodes took part
        double skipped = timer(nodeA, "timeout") + timer(nodeB, "timeout");
        assertThat(skipped).as("attempts that found the lock taken").isGreaterThan(0);
        assertThat(timer(nodeA, "acquired") + timer(nodeB, "acquired")).isGreaterThanOrEqualTo(runs.size());
    }

    @Test
    @Order(2)
    void lockNamesFromArgumentsKeepCallersOfOneAccountApartOnBothNodes() throws Exception {
        int calls = 120;
        List<String> accounts = List.of("alice", "bob", "carol");
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                LockedApplication.Accounts service =
                        (i % 2 == 0 ? nodeA : nodeB).getBean(LockedApplication.Accounts.class);
                String account = accounts.get(i % accounts.size());
                done.add(callers.submit(() -> service.transfer(account, 1, null)));
            }
            for (Future<?> call : done) {
                call.get(60, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(ledger.overlaps()).isZero();
        assertThat(ledger.balances())
                .isEqualTo(Map.of("alice", (long) calls / 3, "bob", (long) calls / 3, "carol", (long) calls / 3));
        ledger.tokens().forEach((account, tokens) -> {
            assertThat(tokens).hasSize(calls / 3);
            for (int i = 1; i < tokens.size(); i++) {
                assertThat(tokens.get(i))
                        .as("fencing tokens of %s: %s", account, tokens)
                        .isGreaterThan(tokens.get(i - 1));
            }
        });
    }

    @Test
    @Order(3)
    void springBootBindsTheMetersWithTheEngineTag() {
        MeterRegistry registry = nodeA.getBean(MeterRegistry.class);
        assertThat(Search.in(registry)
                        .name(GlobalLockMetrics.ACQUIRE)
                        .tags("engine", engine(), "outcome", "acquired")
                        .timer())
                .isNotNull();
        assertThat(registry.get(GlobalLockMetrics.HELD).tags("engine", engine()).gauge())
                .isNotNull();
        assertThat(registry.get(GlobalLockMetrics.WAITING).gauge().value()).isGreaterThanOrEqualTo(0);
    }

    @Test
    @Order(4)
    void theHealthIsUpWithTheEngineAndItsEndpointAndBootHasIt() {
        Map<String, Object> up = health(nodeA);
        assertThat(up).containsEntry("status", "UP").containsEntry("engine", engine());
        assertThat(up).containsKey("endpoint").containsKey("latency");
        assertThat(String.valueOf(up.get("endpoint"))).doesNotContain("@");
        assertThat(healthIndicatorRegisteredWithBoot(nodeA)).isTrue();
    }

    @Test
    @Order(5)
    void theHealthIsDownWhileTheServerIsStoppedAndUpAgainAfterIt() {
        Assumptions.assumeTrue(stopServer(), "the " + engine() + " engine has no server to stop");
        try {
            Map<String, Object> down = Await.untilPresent(
                    AWAIT,
                    () -> Optional.of(health(nodeA)).filter(h -> "DOWN".equals(h.get("status"))),
                    () -> "the health to go down");
            assertThat(down)
                    .containsEntry("engine", engine())
                    .containsKey("endpoint")
                    .containsKey("error");
        } finally {
            restartServer();
        }
        Await.until(AWAIT, () -> "UP".equals(health(nodeA).get("status")), () -> "the health to come up again");
        Await.until(AWAIT, () -> "UP".equals(health(nodeB).get("status")), () -> "node B's health to come up");
    }

    private static double attempts(ConfigurableApplicationContext node) {
        return timer(node, "acquired") + timer(node, "timeout");
    }

    private static double timer(ConfigurableApplicationContext node, String outcome) {
        var timer = Search.in(node.getBean(MeterRegistry.class))
                .name(GlobalLockMetrics.ACQUIRE)
                .tags("outcome", outcome)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    /** The globallock health as Boot's indicator reports it: status and details, whichever Boot. */
    static Map<String, Object> health(ConfigurableApplicationContext node) {
        try {
            Object indicator = node.getBean("globallockHealthIndicator");
            Object health = indicator.getClass().getMethod("health").invoke(indicator);
            Object status = health.getClass().getMethod("getStatus").invoke(health);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("status", status.getClass().getMethod("getCode").invoke(status));
            ((Map<?, ?>) health.getClass().getMethod("getDetails").invoke(health))
                    .forEach((key, value) -> result.put(String.valueOf(key), value));
            return result;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether Boot's health contributor registry has it under the name {@code globallock}. */
    static boolean healthIndicatorRegisteredWithBoot(ConfigurableApplicationContext node) {
        for (String type : List.of(
                "org.springframework.boot.health.registry.HealthContributorRegistry",
                "org.springframework.boot.actuate.health.HealthContributorRegistry")) {
            try {
                Class<?> registryType = Class.forName(type);
                Object registry = node.getBean(registryType);
                Method contributor = registryType.getMethod("getContributor", String.class);
                return contributor.invoke(registry, "globallock") == node.getBean("globallockHealthIndicator");
            } catch (ClassNotFoundException e) {
                // the other Boot
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no health contributor registry in " + node);
    }

    GlobalLockManager manager(ConfigurableApplicationContext node) {
        return node.getBean(GlobalLockManager.class);
    }
}
