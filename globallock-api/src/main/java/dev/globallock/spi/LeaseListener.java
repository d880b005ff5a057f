/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

/**
 * How an engine tells the manager about a held lease between calls. Thread-safe and non-blocking:
 * call it from any thread, including the client library's event threads. Calls after the lock was
 * released are ignored.
 */
public interface LeaseListener {
    /** The lease is gone (session expired, key deleted, renewal refused). Idempotent. */
    void leaseLost(Throwable cause);

    /** The connection is interrupted; ownership cannot be confirmed until {@link #ownershipConfirmed()}. */
    void ownershipUncertain();

    /** The connection is back and the lease is still held. */
    void ownershipConfirmed();
}
