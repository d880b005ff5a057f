/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.spring;

/** What {@link Billing} settles. */
public final class Invoice {
    private final long id;

    public Invoice(long id) {
        this.id = id;
    }

    public long getId() {
        return id;
    }
}
