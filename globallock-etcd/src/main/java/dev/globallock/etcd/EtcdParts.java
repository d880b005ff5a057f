/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

/**
 * The engine's parts, wired once when it opens: the adapter ({@link EtcdLockEngine}) and each
 * acquisition reach them here, and no part knows the adapter.
 *
 * @param namespace the prefix of every lock key
 * @param giveUpAfterNanos how long an acquisition rides out failures in a row before it fails: two
 *     request timeouts
 */
record EtcdParts(
        EtcdRuntime runtime,
        EtcdCalls calls,
        EtcdFailures failures,
        EtcdSessions sessions,
        EtcdKeySlots slots,
        EtcdStrayKeys strayKeys,
        EtcdKeyRemoval removal,
        EtcdDirectoryWatches watches,
        EtcdRenewal renewal,
        String namespace,
        long giveUpAfterNanos) {

    static EtcdParts wire(EtcdEngineConfig config, EtcdConnection connection) {
        String endpoint = config.describeEndpoints();
        EtcdRuntime runtime = new EtcdRuntime();
        EtcdCalls calls = new EtcdCalls(connection, config.requestTimeout(), runtime);
        EtcdFailures failures = new EtcdFailures(endpoint, connection, runtime);
        EtcdSessions sessions = new EtcdSessions(calls, runtime, failures);
        EtcdKeySlots slots = new EtcdKeySlots();
        EtcdStrayKeys strayKeys = new EtcdStrayKeys(slots, calls, runtime, endpoint);
        return new EtcdParts(
                runtime,
                calls,
                failures,
                sessions,
                slots,
                strayKeys,
                new EtcdKeyRemoval(calls, runtime, failures, slots, strayKeys),
                new EtcdDirectoryWatches(calls, runtime),
                new EtcdRenewal(calls, runtime, sessions, failures),
                config.namespace(),
                config.requestTimeout().toNanos() * 2);
    }
}
