/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.spi.LockEngine;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine under the manager the starter made, for what the manager does not tell: the endpoint
 * it talks to ({@link LockEngine#describeEndpoint()}, never with credentials). Empty when the
 * application made its own manager.
 */
final class GlobalLockEngineView {
    private final AtomicReference<LockEngine> engine = new AtomicReference<>();

    void seen(LockEngine opened) {
        engine.set(opened);
    }

    Optional<String> endpoint() {
        LockEngine seen = engine.get();
        return seen == null ? Optional.empty() : Optional.ofNullable(seen.describeEndpoint());
    }
}
