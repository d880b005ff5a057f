/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** The example application on the memory engine: the service locks per invoice, the job once per tick. */
class BillingApplicationTest {
    @Test
    void theServiceWritesWithItsFencingTokenAndTheJobRunsOncePerTick() {
        SpringApplication application = new SpringApplication(BillingApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run(
                "--globallock.engine=memory", "--globallock.memory.namespace=example-" + UUID.randomUUID())) {
            Billing billing = context.getBean(Billing.class);
            Reports reports = context.getBean(Reports.class);
            Ledger ledger = context.getBean(Ledger.class);

            billing.settle(new Invoice(42), null);
            billing.settle(new Invoice(42), null);
            reports.everyFiveMinutes();
            reports.everyFiveMinutes(); // within minHold of the first: skipped, as on another node

            assertThat(ledger.writes()).hasSize(3);
            assertThat(ledger.writes().get(0)).startsWith("invoice 42 with token ");
            assertThat(ledger.writes().get(1)).startsWith("invoice 42 with token ");
            assertThat(ledger.writes().get(0)).isNotEqualTo(ledger.writes().get(1));
            assertThat(ledger.writes().get(2)).isEqualTo("report");
        }
    }
}
