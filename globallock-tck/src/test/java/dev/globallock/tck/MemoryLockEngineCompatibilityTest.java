/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.tck;

import dev.globallock.memory.MemoryLockEngine;
import java.util.Map;

/** The in-JVM reference engine passes the whole contract. */
class MemoryLockEngineCompatibilityTest extends LockEngineCompatibilityKit {
    private static final String NAMESPACE = "tck";

    @Override
    protected Map<String, Object> engineConfig() {
        return Map.of("engine", "memory", "memory", Map.of("namespace", NAMESPACE));
    }

    @Override
    protected Map<String, Object> unreachableConfig() {
        // the memory engine cannot be unreachable; an engine that is not on the class path is the
        // nearest failure: it must fail at once with a clear error
        return Map.of("engine", "no-such-engine");
    }

    @Override
    protected void forgetOnBackend(String key) {
        MemoryLockEngine.open(NAMESPACE).forget(key);
    }
}
