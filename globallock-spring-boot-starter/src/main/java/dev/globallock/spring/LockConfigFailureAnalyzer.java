/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.LockConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Spring Boot's "APPLICATION FAILED TO START" report for a globallock misconfiguration: every
 * problem, each naming its {@code globallock.} property or {@code @Locked} method.
 */
final class LockConfigFailureAnalyzer extends AbstractFailureAnalyzer<LockConfigException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, LockConfigException cause) {
        return new FailureAnalysis(
                String.join("\n", cause.problems()),
                "Correct the globallock.* properties (the keys and values of the library's configuration, see"
                        + " globallock-reference.yaml) or the @Locked attributes named above.",
                cause);
    }
}
