/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.LockBackendException;
import dev.globallock.spi.LockEngine;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The texts of engine failures, assembled in one place so that every one names the engine and its
 * endpoint the same way: {@code engine 'redis' at redis://127.0.0.1:6379 failed to acquire lock
 * 'report': connection refused}. One per engine (or per manager, for the engine it runs); the
 * endpoint is read when a text is made, so it may change (a failover). Immutable and thread-safe.
 */
public final class EngineErrors {
    private final String engine;
    private final Supplier<String> endpoint;

    private EngineErrors(String engine, Supplier<String> endpoint) {
        this.engine = engine;
        this.endpoint = endpoint;
    }

    /**
     * @param engine the provider name, such as {@code redis}
     * @param endpoint the endpoint(s) for messages, never credentials ({@link
     *     LockEngine#describeEndpoint()})
     */
    public static EngineErrors of(String engine, Supplier<String> endpoint) {
        return new EngineErrors(Objects.requireNonNull(engine, "engine"), Objects.requireNonNull(endpoint, "endpoint"));
    }

    /** The texts for an engine instance: its name and {@link LockEngine#describeEndpoint()}. */
    public static EngineErrors of(LockEngine engine) {
        Objects.requireNonNull(engine, "engine");
        return of(engine.name(), engine::describeEndpoint);
    }

    /**
     * The failure inside its completion wrappers ({@link java.util.concurrent.CompletionException},
     * {@link java.util.concurrent.ExecutionException}): what to name in a message.
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                        || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** {@code lock 'name'}: how every message names a lock. */
    public static String lock(String name) {
        return "lock '" + name + "'";
    }

    /** {@code engine 'redis'}: the engine without its endpoint (configuration messages). */
    public String engine() {
        return "engine '" + engine + "'";
    }

    /** {@code engine 'redis' at redis://127.0.0.1:6379}: the subject of every failure text. */
    public String engineAt() {
        return engine() + " at " + endpoint.get();
    }

    /** {@code <engine at endpoint> <text>}: any sentence about the engine. */
    public String say(String text) {
        return engineAt() + " " + text;
    }

    /**
     * {@code <engine at endpoint> failed to <operation> <what>: <reason>}, such as {@code ... failed
     * to release lock 'report': connection reset}.
     *
     * @param what the object, such as {@link #lock(String)} or {@code 3 lock(s)}
     */
    public LockBackendException failed(String operation, String what, String reason, Throwable cause) {
        return new LockBackendException(say("failed to " + operation + " " + what + ": " + reason), cause);
    }

    /**
     * {@code <engine at endpoint> <state>: cannot <what>}, such as {@code ... was closed: cannot
     * acquire lock 'report'}.
     *
     * @param state how the engine stands, such as {@code was closed} or {@code is abandoned}
     * @param what what was asked, such as {@code acquire lock 'report'}
     */
    public LockBackendException unusable(String state, String what) {
        return new LockBackendException(say(state + ": cannot " + what));
    }

    @Override
    public String toString() {
        return "EngineErrors{" + engine + "}";
    }
}
