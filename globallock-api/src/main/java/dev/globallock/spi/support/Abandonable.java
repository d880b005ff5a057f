/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.spi.LockEngine;
import java.util.Objects;
import java.util.Optional;

/**
 * An engine that can drop its connection the way a crashed process would, for tests of what
 * happens to a dead holder's locks: nothing is released, and the backend frees the locks when
 * their leases or sessions end. Optional: engines implement it where the backend can tell the
 * difference; a test finds it with {@link #of(LockEngine)} through decorators.
 */
public interface Abandonable {
    /**
     * Drops the connection without releasing anything, as a crashed process would; every later
     * call of the engine fails. May block while the connection is torn down (a few seconds at most).
     */
    void abandon();

    /**
     * The abandonable engine behind {@code engine}, looked for through decorators ({@link
     * ForwardingLockEngine#delegate()}); empty when there is none.
     */
    static Optional<Abandonable> of(LockEngine engine) {
        Objects.requireNonNull(engine, "engine");
        LockEngine current = engine;
        while (true) {
            if (current instanceof Abandonable) {
                return Optional.of((Abandonable) current);
            }
            if (!(current instanceof ForwardingLockEngine)) {
                return Optional.empty();
            }
            current = ((ForwardingLockEngine) current).delegate();
        }
    }

    /**
     * Simulates a crash of {@code engine}'s process: abandons the engine behind it if it can, else
     * closes it (the closest an engine without the ability comes: its locks are released at once).
     */
    static void crash(LockEngine engine) {
        Optional<Abandonable> abandonable = of(engine);
        if (abandonable.isPresent()) {
            abandonable.get().abandon();
        } else {
            engine.close();
        }
    }
}
