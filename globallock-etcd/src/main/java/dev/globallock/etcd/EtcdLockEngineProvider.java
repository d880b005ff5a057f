/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.EngineCapabilities;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;

/**
 * The {@code etcd} engine: reads the {@code etcd:} section ({@code endpoints}, {@code user}, {@code
 * password}, {@code tls.*}, {@code namespace}, {@code connect-timeout}, {@code request-timeout},
 * {@code keepalive-time}, {@code keepalive-timeout}) and opens an {@link EtcdLockEngine}. The
 * constructor does nothing; {@link #create} does no I/O either (the first request connects).
 */
public final class EtcdLockEngineProvider implements LockEngineProvider {
    /** Made by {@link java.util.ServiceLoader}; cheap, no I/O. */
    public EtcdLockEngineProvider() {}

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public String description() {
        return "etcd v3 through jetcd: leases, transactions and watches; FIFO waiters, fencing tokens";
    }

    @Override
    public EngineCapabilities capabilities() {
        return EtcdLockEngine.CAPABILITIES;
    }

    @Override
    public LockEngine create(ConfigSection section) {
        return EtcdLockEngine.open(EtcdConfigReader.read(section));
    }
}
