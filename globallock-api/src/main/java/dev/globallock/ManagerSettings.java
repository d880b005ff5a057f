/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.ConfigSection;
import java.time.Duration;
import java.util.Optional;

/** The engine-independent part of the configuration, parsed and validated. Immutable. */
final class ManagerSettings {
    static final Duration DEFAULT_WATCHDOG_LEASE = Duration.ofSeconds(30);
    static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(10);

    final String keyPrefix;
    /** Null: wait until acquired. */
    final Duration defaultWaitTime;
    /** Null: a watchdog lease. */
    final Duration defaultLeaseTime;

    /** Null: not configured; the manager then follows the engine (see GlobalLockManager). */
    final Duration watchdogLease;

    final Duration operationTimeout;

    ManagerSettings(
            String keyPrefix,
            Duration defaultWaitTime,
            Duration defaultLeaseTime,
            Duration watchdogLease,
            Duration operationTimeout) {
        this.keyPrefix = keyPrefix;
        this.defaultWaitTime = defaultWaitTime;
        this.defaultLeaseTime = defaultLeaseTime;
        this.watchdogLease = watchdogLease;
        this.operationTimeout = operationTimeout;
    }

    static ManagerSettings defaults() {
        return new ManagerSettings("", null, null, null, DEFAULT_OPERATION_TIMEOUT);
    }

    /** These settings with every value {@code overrides} has (its nulls meaning "not given") put over them. */
    ManagerSettings overriddenBy(ManagerSettings overrides) {
        return new ManagerSettings(
                overrides.keyPrefix != null ? overrides.keyPrefix : keyPrefix,
                overrides.defaultWaitTime != null ? overrides.defaultWaitTime : defaultWaitTime,
                overrides.defaultLeaseTime != null ? overrides.defaultLeaseTime : defaultLeaseTime,
                overrides.watchdogLease != null ? overrides.watchdogLease : watchdogLease,
                overrides.operationTimeout != null ? overrides.operationTimeout : operationTimeout);
    }

    /** Reads the top-level keys (except {@code engine}), recording problems in {@code root}. */
    static ManagerSettings read(ConfigSection root) {
        String keyPrefix = root.string("key-prefix", "");
        String prefixProblem = LockNames.prefixProblem(keyPrefix);
        if (prefixProblem != null) {
            root.problem("key-prefix", LockNames.printable(keyPrefix), prefixProblem);
            keyPrefix = "";
        }
        ConfigSection defaults = root.section("defaults");
        Duration waitTime = waitTime(defaults);
        Duration leaseTime = defaults.duration("lease-time").orElse(null);
        if (leaseTime != null && leaseTime.isZero()) {
            defaults.problem("lease-time", "0ms", "it must be longer than zero; leave it out for a watchdog lease");
            leaseTime = null;
        }
        Duration watchdogLease = root.section("watchdog").positiveDuration("lease", null);
        Duration operationTimeout = root.positiveDuration("operation-timeout", DEFAULT_OPERATION_TIMEOUT);
        return new ManagerSettings(keyPrefix, waitTime, leaseTime, watchdogLease, operationTimeout);
    }

    private static Duration waitTime(ConfigSection defaults) {
        Optional<String> text = defaults.has("wait-time") ? defaults.string("wait-time") : Optional.empty();
        if (text.isPresent() && text.get().trim().equalsIgnoreCase("forever")) {
            return null;
        }
        return defaults.duration("wait-time").orElse(null);
    }
}
