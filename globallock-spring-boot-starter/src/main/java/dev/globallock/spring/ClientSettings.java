/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.spi.ConfigSection;
import java.time.Duration;
import java.util.Optional;

/** Reading the few engine keys that still apply when an application client is used. */
final class ClientSettings {
    private ClientSettings() {}

    /** A timeout between 1ms and 10m, as the Redis engine reads its timeouts; empty for the default. */
    static Optional<Duration> timeout(ConfigSection section, String key) {
        Optional<Duration> value = section.duration(key);
        if (value.isPresent() && (value.get().toMillis() < 1 || value.get().compareTo(Duration.ofMinutes(10)) > 0)) {
            section.problem(key, section.string(key, ""), "it must be between 1ms and 10m");
            return Optional.empty();
        }
        return value;
    }

    /** Runs a builder call, recording the builder's refusal as a problem with the key. */
    static void apply(ConfigSection section, String key, Object value, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage();
            int but = reason.indexOf(" but ");
            section.problem(key, value, but >= 0 ? reason.substring(but + 5) : reason);
        }
    }
}
