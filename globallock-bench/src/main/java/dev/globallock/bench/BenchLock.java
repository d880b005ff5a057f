/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

/**
 * One lock under test, adapted to a blocking shape every library can meet: {@link #lock()} blocks
 * until the lock is held and returns what releases it. An instance stands for one client (one
 * manager, one Redisson client, one Curator mutex...) and is used by one thread at a time unless
 * the library allows more.
 */
@FunctionalInterface
public interface BenchLock {
    /** Blocks until acquired; closing the result releases the lock. */
    AutoCloseable lock() throws Exception;
}
