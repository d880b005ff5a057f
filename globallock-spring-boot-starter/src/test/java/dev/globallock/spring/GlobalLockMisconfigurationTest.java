/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.LockConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A wrong {@code globallock.*} property fails the start of the context with the library's own
 * message, its key path under {@code globallock.}, every problem at once, and no secret.
 */
public class GlobalLockMisconfigurationTest {
    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GlobalLockAutoConfiguration.class));

    @Test
    void aMissingEngineIsNamedWithItsProperty() {
        assertThat(problems(runner))
                .singleElement()
                .asString()
                .startsWith("globallock.engine was missing but it is required: the name of a lock engine: ")
                .contains("memory", "file", "redis", "etcd", "zookeeper");
    }

    @Test
    void anUnknownEngineListsTheEnginesFound() {
        assertThat(problems(runner.withPropertyValues("globallock.engine=postgres")))
                .singleElement()
                .asString()
                .startsWith("globallock.engine was 'postgres' but no engine of that name is on the class path");
    }

    @Test
    void everyProblemIsReportedAtOnceEachWithItsGloballockKey() {
        assertThat(problems(runner.withPropertyValues(
                        "globallock.engine=redis",
                        "globallock.defaults.wait-time=soon",
                        "globallock.defaults.wait-tme=5s",
                        "globallock.watchdog.lease=0s",
                        "globallock.redis.mode=triple",
                        "globallock.redis.pool-size=0")))
                .contains(
                        "globallock.defaults.wait-time was 'soon' but it is not a duration: use a whole number and a"
                                + " unit (ms, s, m, h, d), such as 500ms or 5s, or ISO-8601 such as PT5S",
                        "globallock.defaults.wait-tme was set but it is not a known key: did you mean 'wait-time'?",
                        "globallock.watchdog.lease was '0s' but it must be longer than zero",
                        "globallock.redis.mode was 'triple' but it must be one of single, sentinel, cluster, redlock",
                        "globallock.redis.pool-size was '0' but it must be between 1 and 1024")
                .anySatisfy(problem -> assertThat(problem).startsWith("globallock.redis.nodes was missing"));
    }

    @Test
    void aListElementIsNamedByItsIndexAndCredentialsInItAreNotShown() {
        String secret = "s3cret-" + UUID.randomUUID();
        ApplicationContextRunner wrong = runner.withPropertyValues(
                "globallock.engine=redis",
                "globallock.redis.mode=redlock",
                "globallock.redis.nodes[0]=redis://127.0.0.1:1",
                "globallock.redis.nodes[1]=http://user:" + secret + "@127.0.0.1:2",
                "globallock.redis.nodes[2]=redis://127.0.0.1:3",
                "globallock.redis.pasword=" + secret);
        assertThat(problems(wrong))
                .contains("globallock.redis.pasword was set but it is not a known key: did you mean 'password'?")
                .anySatisfy(problem -> assertThat(problem).startsWith("globallock.redis.nodes[1] was '******' but"));
        wrong.run(
                context -> assertThat(failureText(context.getStartupFailure())).doesNotContain(secret));
    }

    @Test
    void theStartupFailureIsExplainedByAFailureAnalysis() {
        runner.withPropertyValues("globallock.engine=memory", "globallock.operation-timeout=later")
                .run(context -> {
                    LockConfigException cause = configException(context.getStartupFailure());
                    FailureAnalysis analysis = new LockConfigFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .isEqualTo(cause.problems().get(0))
                            .startsWith("globallock.operation-timeout was 'later' but it is not a duration");
                    assertThat(analysis.getAction()).contains("globallock.*");
                });
    }

    @Test
    void aLeaseTimeTheEngineCannotHonourIsNamedWithItsProperty() {
        assertThat(problems(runner.withPropertyValues(
                        "globallock.engine=file",
                        "globallock.file.directory=target/locks-" + UUID.randomUUID(),
                        "globallock.defaults.lease-time=10s")))
                .containsExactly("globallock.defaults.lease-time was '10s' but engine 'file' cannot honour lease"
                        + " times: leave it out");
    }

    public static List<String> problems(ApplicationContextRunner runner) {
        List<String> problems = new ArrayList<>();
        runner.run(context ->
                problems.addAll(configException(context.getStartupFailure()).problems()));
        return problems;
    }

    public static LockConfigException configException(Throwable failure) {
        assertThat(failure).as("the context should have failed to start").isNotNull();
        Throwable cause = failure;
        while (cause != null && !(cause instanceof LockConfigException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("a LockConfigException in " + failure).isNotNull();
        return (LockConfigException) cause;
    }

    public static String failureText(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
