/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/** Stands for the resource the locks protect: records each write with its fencing token. */
@Component
public class Ledger {
    private final List<String> writes = new CopyOnWriteArrayList<>();

    public void write(Invoice invoice, long fencingToken) {
        writes.add("invoice " + invoice.getId() + " with token " + fencingToken);
    }

    public void report() {
        writes.add("report");
    }

    public List<String> writes() {
        return List.copyOf(writes);
    }
}
