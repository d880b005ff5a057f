/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.spring;

import dev.globallock.LockHandle;
import dev.globallock.spring.Locked;
import dev.globallock.spring.OnBusy;
import org.springframework.scheduling.annotation.Scheduled;

/** The README's three lines: the same as {@link Billing} and {@link Reports}, in one class. */
class InvoiceService {
    private final Ledger ledger;

    InvoiceService(Ledger ledger) {
        this.ledger = ledger;
    }

    // spotless:off
    // tag::readme-spring[]
    @Locked(name = "invoice-#{#invoice.id}", waitTime = "5s")      // any bean method; the caller passes null for lock
    public void settle(Invoice invoice, LockHandle lock) { ledger.write(invoice, lock.fencingToken()); }
    @Scheduled(cron = "0 */5 * * * *") @Locked(onBusy = OnBusy.SKIP, minHold = "30s") public void report() { ledger.report(); }
    // end::readme-spring[]
    // spotless:on
}
