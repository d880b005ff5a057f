/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.spring;

import dev.globallock.LockHandle;
import dev.globallock.spring.Locked;
import org.springframework.stereotype.Service;

// tag::billing[]
@Service
class Billing {
    private final Ledger ledger;

    Billing(Ledger ledger) {
        this.ledger = ledger;
    }

    @Locked(name = "invoice-#{#invoice.id}", waitTime = "5s")
    public void settle(Invoice invoice, LockHandle lock) {
        ledger.write(invoice, lock.fencingToken()); // the caller passes null for the handle
    }
}
// end::billing[]
