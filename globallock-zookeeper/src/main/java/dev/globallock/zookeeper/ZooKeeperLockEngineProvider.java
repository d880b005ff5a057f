/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;

/**
 * The {@code zookeeper} engine provider: reads the {@code zookeeper:} section ({@link
 * ZooKeeperConfigReader}, which reports every problem at once), then opens a {@link
 * ZooKeeperLockEngine}.
 */
public final class ZooKeeperLockEngineProvider implements LockEngineProvider {
    /** Made by {@link java.util.ServiceLoader}; cheap, no I/O. */
    public ZooKeeperLockEngineProvider() {}

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public String description() {
        return "Apache ZooKeeper through Curator: fair, session-bound locks with czxid fencing tokens";
    }

    @Override
    public EngineCapabilities capabilities() {
        return ZooKeeperLockEngine.CAPABILITIES;
    }

    @Override
    public LockEngine create(ConfigSection section) {
        return ZooKeeperLockEngine.open(ZooKeeperConfigReader.read(section));
    }
}
