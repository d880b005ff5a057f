/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.GlobalLockException;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.spi.support.EngineErrors;
import java.util.function.Supplier;

/**
 * Whether the engine is open, and what its operations fail with: the engine closed (or
 * abandoned), a backend failure, or a database index the server refused (a configuration
 * problem naming {@code redis.database}). Thread-safe.
 */
final class EngineState {
    /** The engine's logger: one name for all its parts, as before they were split out of the engine class. */
    static final System.Logger LOG = System.getLogger("dev.globallock.redis.RedisLockEngine");

    private final RedisEngineConfig config;
    private final EngineErrors errors;
    private volatile String closedAs;

    /** @param endpoint the backend's endpoints, without credentials */
    EngineState(RedisEngineConfig config, Supplier<String> endpoint) {
        this.config = config;
        this.errors = EngineErrors.of("redis", endpoint);
    }

    EngineErrors errors() {
        return errors;
    }

    boolean isClosed() {
        return closedAs != null;
    }

    /** How the engine was closed ("closed", "abandoned"), or null while it is open. */
    String closedAs() {
        return closedAs;
    }

    /** Marks the engine closed; false when it already was. */
    synchronized boolean close(String how) {
        if (closedAs != null) {
            return false;
        }
        closedAs = how;
        return true;
    }

    /** "engine 'redis' at … was closed and cannot {@code what}". */
    LockBackendException closed(String what) {
        return errors.unusable("was " + closedAs, what);
    }

    /** The exception an operation fails with when the backend failed it. */
    GlobalLockException failure(String operation, String what, Throwable cause) {
        String refused = Errors.databaseRefused(cause);
        if (refused != null) {
            return new LockConfigException(
                    RedisConfigRules.databaseRefused(config.database(), config.describeEndpoint(), refused)
                            + " (failed to " + operation + " " + what + ")",
                    cause);
        }
        return errors.failed(operation, what, ConnectFailures.describe(config, cause), cause);
    }
}
