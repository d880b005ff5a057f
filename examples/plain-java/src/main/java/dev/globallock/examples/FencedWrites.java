/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;

/** The holder's side of fencing (docs/fencing.md). */
public final class FencedWrites {
    private FencedWrites() {}

    static void settle(GlobalLockManager locks, FencedStore store) {
        // tag::fenced-holder[]
        try (LockHandle lock = locks.lock("invoice-42")) {
            long token = lock.fencingToken();
            store.write("invoice-42", "settling", token);
            // ... a long pause here (GC, a stalled VM) can outlast the lease ...
            store.write("invoice-42", "settled", token); // refused if another holder wrote since
        }
        // end::fenced-holder[]
    }
}
