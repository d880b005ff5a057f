/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.memory;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;

/** The {@code memory} engine: {@code memory.namespace} names the in-JVM lock table (default {@code default}). */
public final class MemoryLockEngineProvider implements LockEngineProvider {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String description() {
        return "in-JVM locks for tests and single-process applications";
    }

    @Override
    public EngineCapabilities capabilities() {
        return MemoryLockEngine.CAPABILITIES;
    }

    @Override
    public LockEngine create(ConfigSection section) {
        String namespace = section.string("namespace", MemoryLockEngine.DEFAULT_NAMESPACE);
        section.validate();
        return MemoryLockEngine.open(namespace);
    }
}
