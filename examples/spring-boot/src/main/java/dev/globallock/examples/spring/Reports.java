/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.spring;

import dev.globallock.spring.Locked;
import dev.globallock.spring.OnBusy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

// tag::reports[]
@Component
class Reports {
    private final Ledger ledger;

    Reports(Ledger ledger) {
        this.ledger = ledger;
    }

    @Scheduled(cron = "0 */5 * * * *")
    @Locked(onBusy = OnBusy.SKIP, minHold = "30s") // one node per tick, whatever the clocks say
    public void everyFiveMinutes() {
        ledger.report();
    }
}
// end::reports[]
