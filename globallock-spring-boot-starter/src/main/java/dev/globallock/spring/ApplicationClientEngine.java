/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An engine opened on a client the application already has as a bean (its {@code RedisClient},
 * jetcd {@code Client} or {@code CuratorFramework}), used when the engine's section names no server
 * of its own. One implementation per engine, each configured only when that engine and client are
 * on the class path.
 */
interface ApplicationClientEngine {
    /** The engine's provider name, such as {@code redis}. */
    String engine();

    /** The key that names servers of the engine's own; when it is set, the client is not used. */
    String serverKey();

    /** The client as messages name it, such as {@code the application's RedisClient bean}. */
    String client();

    /** Whether the application has exactly one such client (or a primary one). */
    boolean available();

    /**
     * The section's keys that configure a connection: with the application's client they are that
     * client's business, and setting them here is an error.
     */
    List<String> connectionKeys();

    /**
     * Reads the keys that still apply with an application client, recording problems in {@code
     * section}; the caller validates, then calls the returned opener.
     */
    Supplier<LockEngine> read(ConfigSection section);

    /** Whether this engine should be opened on the application's client for {@code section}. */
    default boolean appliesTo(String engineName, Map<?, ?> section) {
        return engine().equals(engineName) && available() && (section == null || !section.containsKey(serverKey()));
    }
}
