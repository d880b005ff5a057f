/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import static dev.globallock.spring.GlobalLockMisconfigurationTest.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockLostException;
import dev.globallock.LockTimeoutException;
import dev.globallock.tck.fixture.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@link Locked} methods on the in-JVM engine, against a second manager standing for another node. */
class LockedMethodTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final String namespace = "locked-" + UUID.randomUUID();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
            .withPropertyValues(
                    "globallock.engine=memory", "globallock.memory.namespace=" + namespace, "billing.region=eu")
            .withUserConfiguration(Services.class);

    @Test
    void theMethodRunsHoldingTheLockItsTemplateNamesAndGetsTheHandle() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            try (GlobalLockManager otherNode = otherNode()) {
                long token = billing.settle(new Invoice(42), null, () -> {
                    assertThat(otherNode.tryLock("invoice-42").isLocked()).isFalse();
                    assertThat(otherNode.tryLock("invoice-43").isLocked()).isTrue();
                });
                assertThat(token).isPositive();
                try (LockHandle after = otherNode.tryLock("invoice-42")) {
                    assertThat(after.isLocked()).isTrue();
                    assertThat(after.fencingToken()).isGreaterThan(token);
                }
            }
        });
    }

    @Test
    void templatesReachArgumentsByPositionBeansPropertiesAndTheMethod() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            assertThat(billing.heldNames(7, "x", null)).isEqualTo("eu-7-x-heldNames-billing");
            assertThat(billing.defaultName(null)).isEqualTo(Billing.class.getName() + ".defaultName");
        });
    }

    @Test
    void aBusyLockThrowsTheTimeoutAndTheMethodDoesNotRun() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            try (GlobalLockManager otherNode = otherNode();
                    LockHandle held = otherNode.lock("report")) {
                assertThatThrownBy(billing::report)
                        .isInstanceOf(LockTimeoutException.class)
                        .hasMessage("lock 'report' was not acquired within 100ms");
            }
            assertThat(billing.reports()).isZero();
            billing.report();
            assertThat(billing.reports()).isEqualTo(1);
        });
    }

    @Test
    void aBusyLockSkipsAVoidOrOptionalMethodAtOnce() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            try (GlobalLockManager otherNode = otherNode();
                    LockHandle held = otherNode.lock("job")) {
                billing.job();
                assertThat(billing.total()).isEqualTo(Optional.empty());
            }
            assertThat(billing.jobs()).isZero();
            billing.job();
            assertThat(billing.jobs()).isEqualTo(1);
            assertThat(billing.total()).contains("total");
        });
    }

    @Test
    void aNestedCallOnTheSameNameReentersOnTheSameThread() {
        runner.run(context -> assertThat(context.getBean(Billing.class).outer()).isEqualTo(2));
    }

    @Test
    void aMethodThatThrowsReleasesTheLock() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            assertThatThrownBy(billing::fails).isInstanceOf(IllegalStateException.class);
            try (GlobalLockManager otherNode = otherNode();
                    LockHandle after = otherNode.tryLock("fails")) {
                assertThat(after.isLocked()).isTrue();
            }
        });
    }

    @Test
    void aLeaseLostWhileTheMethodRanIsALockLostException() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            assertThatThrownBy(() -> billing.outlivesItsLease(null))
                    .isInstanceOf(LockLostException.class)
                    // expired by the manager's timer, or lost when the engine noticed first
                    .hasMessageMatching("lock 'short-lease' was (expired|lost) before it was released: .*");
            assertThat(billing.outlived()).isEqualTo(1);
        });
    }

    @Test
    void minHoldKeepsTheLockAfterTheMethodReturnedAndIsNotReentrant() {
        runner.run(context -> {
            Billing billing = context.getBean(Billing.class);
            try (GlobalLockManager otherNode = otherNode()) {
                long start = System.nanoTime();
                billing.tick();
                billing.tick(); // the same thread, at once: the lock is still held for minHold
                assertThat(billing.ticks()).isEqualTo(1);
                assertThat(otherNode.tryLock("tick").isLocked()).isFalse();
                LockHandle free = Await.untilPresent(
                        AWAIT,
                        () -> {
                            LockHandle attempt = otherNode.tryLock("tick");
                            return attempt.isLocked() ? Optional.of(attempt) : Optional.empty();
                        },
                        () -> "the end of minHold");
                long heldNanos = System.nanoTime() - start;
                free.close();
                assertThat(Duration.ofNanos(heldNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
                billing.tick();
                assertThat(billing.ticks()).isEqualTo(2);
            }
        });
    }

    @Test
    void aSkipMethodThatReturnsAValueFailsTheStart() {
        assertThat(problems(runner.withUserConfiguration(SkipReturningString.class)))
                .containsExactly("@Locked(onBusy) on " + SkipReturningString.Bad.class.getName()
                        + ".count() was 'SKIP' but the method returns java.lang.String: a skipped call returns"
                        + " nothing, so SKIP needs a void or Optional method");
    }

    @Test
    void badAttributesFailTheStartEachNamingTheMethod() {
        String bad = BadAttributes.Bad.class.getName();
        List<String> problems = problems(runner.withUserConfiguration(BadAttributes.class));
        // the parser's own words differ between Spring Framework 6 and 7
        String template = "@Locked(name) on " + bad + ".badName() was 'x-#{#a +}' but it is not a valid template: ";
        assertThat(problems).hasSize(5).anySatisfy(problem -> assertThat(problem)
                .startsWith(template));
        assertThat(problems)
                .contains(
                        "@Locked(waitTime) on " + bad + ".badWait() was 'soon' but it is not a duration: use a whole"
                                + " number and a unit (ms, s, m, h, d), such as 500ms or 5s, or ISO-8601 such as PT5S",
                        "@Locked(minHold) on " + bad + ".holdPastLease() was '2s' but it is longer than the leaseTime"
                                + " '1s': the lock would expire before it",
                        "@Locked on " + bad + ".finalMethod() was on a final method but Spring cannot intercept it"
                                + " there: the lock would never be taken",
                        "@Locked(waitTime) on " + bad + ".skipForever() was 'forever' but onBusy is SKIP, which a"
                                + " wait without end never reaches: give a wait time, or none for one attempt");
    }

    @Test
    void aLeaseTimeTheEngineCannotHonourFailsTheStart() {
        assertThat(problems(new ApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class))
                        .withPropertyValues(
                                "globallock.engine=file", "globallock.file.directory=target/locks-" + UUID.randomUUID())
                        .withUserConfiguration(LeaseOnFile.class)))
                .containsExactly("@Locked(leaseTime) on " + LeaseOnFile.Job.class.getName()
                        + ".run() was '30s' but engine 'file' cannot honour lease times: its locks last as long as"
                        + " the holder's session; leave it empty");
    }

    private GlobalLockManager otherNode() {
        return GlobalLockManager.create(Map.of("engine", "memory", "memory", Map.of("namespace", namespace)));
    }

    static final class Invoice {
        private final long id;

        Invoice(long id) {
            this.id = id;
        }

        public long getId() {
            return id;
        }
    }

    public static class Billing {
        final AtomicInteger reports = new AtomicInteger();
        final AtomicInteger jobs = new AtomicInteger();
        final AtomicInteger ticks = new AtomicInteger();
        final AtomicInteger outlived = new AtomicInteger();
        private Billing self;

        public int reports() {
            return reports.get();
        }

        public int jobs() {
            return jobs.get();
        }

        public int ticks() {
            return ticks.get();
        }

        public int outlived() {
            return outlived.get();
        }

        void self(Billing self) {
            this.self = self;
        }

        @Locked(name = "invoice-#{#invoice.id}")
        public long settle(Invoice invoice, LockHandle lock, Runnable whileHeld) {
            assertThat(lock.isLocked()).isTrue();
            whileHeld.run();
            return lock.fencingToken();
        }

        @Locked(name = "${billing.region}-#{#p0}-#{#second}-#{#root.method.name}-#{@billingName}")
        public String heldNames(int first, String second, LockHandle lock) {
            return lock.name();
        }

        @Locked
        public String defaultName(LockHandle lock) {
            return lock.name();
        }

        @Locked(name = "report", waitTime = "100ms")
        public void report() {
            reports.incrementAndGet();
        }

        @Locked(name = "job", onBusy = OnBusy.SKIP)
        public void job() {
            jobs.incrementAndGet();
        }

        @Locked(name = "job", onBusy = OnBusy.SKIP)
        public Optional<String> total() {
            return Optional.of("total");
        }

        @Locked(name = "nested")
        public int outer() {
            return self.inner() + 1;
        }

        @Locked(name = "nested", waitTime = "0s")
        public int inner() {
            return 1;
        }

        @Locked(name = "fails")
        public void fails() {
            throw new IllegalStateException("the work failed");
        }

        @Locked(name = "short-lease", leaseTime = "200ms")
        public void outlivesItsLease(LockHandle lock) {
            Await.until(AWAIT, () -> !lock.isLocked(), () -> "the lease to run out");
            outlived.incrementAndGet();
        }

        @Locked(name = "tick", minHold = "400ms", onBusy = OnBusy.SKIP)
        public void tick() {
            ticks.incrementAndGet();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Services {
        @Bean
        Billing billing() {
            return new Billing();
        }

        @Bean
        String billingName() {
            return "billing";
        }

        @Bean
        Object selfReference(Billing billing) {
            billing.self(billing);
            return "wired";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SkipReturningString {
        @Bean
        Bad bad() {
            return new Bad();
        }

        public static class Bad {
            @Locked(onBusy = OnBusy.SKIP)
            public String count() {
                return "1";
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BadAttributes {
        @Bean
        Bad bad() {
            return new Bad();
        }

        public static class Bad {
            @Locked(waitTime = "soon")
            public void badWait() {}

            @Locked(name = "x-#{#a +}")
            public void badName(int a) {}

            @Locked(leaseTime = "1s", minHold = "2s")
            public void holdPastLease() {}

            @Locked
            public final void finalMethod() {}

            @Locked(waitTime = "forever", onBusy = OnBusy.SKIP)
            public void skipForever() {}
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class LeaseOnFile {
        @Bean
        Job job() {
            return new Job();
        }

        public static class Job {
            @Locked(leaseTime = "30s")
            public void run() {}
        }
    }
}
