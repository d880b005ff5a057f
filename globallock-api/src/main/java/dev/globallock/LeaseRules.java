/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The lease rules of one manager: the watchdog lease in force, and which lease times its engine
 * can honour. Immutable.
 */
final class LeaseRules {
    /** The manager's logger (applications configure it by that name): what it says here is the manager's. */
    private static final System.Logger LOG = System.getLogger("dev.globallock.GlobalLockManager");

    private final EngineCapabilities capabilities;
    private final String engine;
    private final Duration watchdogLease;

    /**
     * Resolves the watchdog lease and checks the configured defaults against the engine.
     *
     * @param engine how messages name the engine ({@code engine 'redis'})
     * @throws LockConfigException when a configured lease time or watchdog lease is one the engine
     *     cannot honour
     */
    LeaseRules(ManagerSettings settings, EngineCapabilities capabilities, String engine) {
        this.capabilities = capabilities;
        this.engine = engine;
        this.watchdogLease = watchdogLease(settings.watchdogLease, capabilities, engine);
        checkDefaults(settings);
    }

    /** The lease the watchdog keeps renewing: see {@link #watchdogLease(Duration, EngineCapabilities, String)}. */
    Duration watchdogLease() {
        return watchdogLease;
    }

    /**
     * Checks an explicit lease time of a request.
     *
     * @throws IllegalArgumentException when the engine cannot honour it
     */
    void checkLease(String name, Duration lease) {
        if (!capabilities.has(Capability.LEASE_TIME)) {
            throw new IllegalArgumentException(engine + " cannot honour a lease time (" + Durations.format(lease)
                    + " for lock '" + name + "'): its locks last as long as the holder's session; leave the lease"
                    + " time out to get a lease that ends when the holder dies");
        }
        if (lease.compareTo(capabilities.minimumLeaseTime()) < 0) {
            throw new IllegalArgumentException("lease time " + Durations.format(lease) + " for lock '" + name
                    + "' is shorter than " + engine + " supports (at least "
                    + Durations.format(capabilities.minimumLeaseTime()) + ")");
        }
    }

    /**
     * The watchdog lease in force. Configured ({@code watchdog.lease} or the builder), or else the
     * engine's session timeout where its locks live as long as a session ({@link
     * EngineCapabilities#sessionTimeout()}), or else 30 s. A configured lease longer than such a
     * session is shortened to it: the session decides how long a lock outlives its holder's last
     * confirmation, so the holder's deadline and renewals must follow it.
     */
    private static Duration watchdogLease(Duration configured, EngineCapabilities capabilities, String engine) {
        Optional<Duration> session = capabilities.sessionTimeout();
        if (configured == null) {
            return session.orElse(ManagerSettings.DEFAULT_WATCHDOG_LEASE);
        }
        if (session.isPresent() && configured.compareTo(session.get()) > 0) {
            LOG.log(
                    Level.WARNING,
                    () -> "watchdog.lease was '" + Durations.format(configured) + "' but " + engine
                            + " keeps a lock only as long as its session, which the server ends "
                            + Durations.format(session.get()) + " after it last heard from the holder: the lease"
                            + " counts as " + Durations.format(session.get()) + " (leave watchdog.lease out to"
                            + " follow the session timeout)");
            return session.get();
        }
        return configured;
    }

    private void checkDefaults(ManagerSettings settings) {
        if (settings.defaultLeaseTime != null && !capabilities.has(Capability.LEASE_TIME)) {
            throw new LockConfigException(List.of("defaults.lease-time was '"
                    + Durations.format(settings.defaultLeaseTime) + "' but " + engine
                    + " cannot honour lease times: leave it out"));
        }
        if (settings.defaultLeaseTime != null
                && settings.defaultLeaseTime.compareTo(capabilities.minimumLeaseTime()) < 0) {
            throw new LockConfigException(List.of("defaults.lease-time was '"
                    + Durations.format(settings.defaultLeaseTime) + "' but " + engine + " needs at least "
                    + Durations.format(capabilities.minimumLeaseTime())));
        }
        if (watchdogLease.compareTo(capabilities.minimumLeaseTime()) < 0) {
            throw new LockConfigException(List.of("watchdog.lease was '" + Durations.format(watchdogLease) + "' but "
                    + engine + " needs at least " + Durations.format(capabilities.minimumLeaseTime())));
        }
    }
}
