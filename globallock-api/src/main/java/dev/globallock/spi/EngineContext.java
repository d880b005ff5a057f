/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import dev.globallock.Ticker;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the manager lends its engine: one scheduler for timers and short non-blocking tasks, and
 * the ticker lease arithmetic must use. The engine must not shut the scheduler down.
 */
public interface EngineContext {
    /** The manager's scheduler (one thread): schedule timers on it; never block on it. */
    ScheduledExecutorService scheduler();

    /** The manager's monotonic clock. */
    Ticker ticker();
}
