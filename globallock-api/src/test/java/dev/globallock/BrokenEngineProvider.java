/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;

/** A provider whose jar is broken: it fails while being instantiated. Registered in the test resources. */
public final class BrokenEngineProvider implements LockEngineProvider {
    public BrokenEngineProvider() {
        throw new IllegalStateException("broken on purpose");
    }

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public EngineCapabilities capabilities() {
        throw new AssertionError("never asked");
    }

    @Override
    public LockEngine create(ConfigSection section) {
        throw new AssertionError("never created");
    }
}
