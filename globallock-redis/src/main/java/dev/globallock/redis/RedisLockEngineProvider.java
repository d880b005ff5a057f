/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;

/**
 * The {@code redis} engine: reads the {@code redis:} section (see the reference configuration for
 * every key and its default), reports every problem at once, then opens a {@link RedisLockEngine}.
 * Connections are opened lazily, on the first operation.
 */
public final class RedisLockEngineProvider implements LockEngineProvider {
    /** Made by {@link java.util.ServiceLoader}; cheap, no I/O. */
    public RedisLockEngineProvider() {}

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "Redis (single, sentinel, cluster, redlock) on Jedis";
    }

    @Override
    public EngineCapabilities capabilities() {
        return RedisLockEngine.CAPABILITIES;
    }

    @Override
    public LockEngine create(ConfigSection section) {
        return RedisLockEngine.open(RedisConfigReader.read(section));
    }
}
