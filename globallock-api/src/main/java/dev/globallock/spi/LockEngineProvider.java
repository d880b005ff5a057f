/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import dev.globallock.EngineCapabilities;

/**
 * Creates a {@link LockEngine} from configuration; found with {@link java.util.ServiceLoader}
 * through {@code META-INF/services/dev.globallock.spi.LockEngineProvider} (and {@code provides}
 * in a module-info).
 *
 * <p>The no-arg constructor must be cheap and do no I/O: every provider on the class path is
 * instantiated to list what is available. Connections are opened in {@link #create}.
 */
public interface LockEngineProvider {
    /** The short name the {@code engine} key selects, such as {@code redis}. Lower case, stable. */
    String name();

    /** One line for {@code globallock engines}: what the engine is built on. */
    default String description() {
        return name();
    }

    /**
     * What every engine this provider opens supports, known without opening one (so {@code
     * globallock engines} lists it without connecting). An opened engine's {@link
     * LockEngine#capabilities()} are equal or narrower: the same capabilities or fewer, a minimum
     * lease time as long or longer (Redis' Redlock mode: 100 ms), keys as long or shorter; it may
     * add what depends on its configuration or server, such as a session timeout.
     */
    EngineCapabilities capabilities();

    /**
     * Reads the engine's configuration section, reports every problem at once, then opens the
     * engine.
     *
     * <p>Read every key you support from {@code section} first, then call {@link
     * ConfigSection#validate()} before any I/O: that throws a {@link dev.globallock.LockConfigException}
     * listing all problems, including unknown keys with a did-you-mean hint.
     *
     * @param section the section named after the engine ({@code redis:} for {@code redis}); empty
     *     when the configuration has none
     * @throws dev.globallock.LockConfigException when the configuration is wrong
     * @throws dev.globallock.LockBackendException when the backend cannot be reached, if the engine
     *     connects eagerly
     */
    LockEngine create(ConfigSection section);
}
