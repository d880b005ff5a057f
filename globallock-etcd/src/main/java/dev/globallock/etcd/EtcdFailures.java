/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.LockBackendException;
import dev.globallock.LockLostException;
import dev.globallock.spi.support.EngineErrors;
import java.util.Optional;

/**
 * The exceptions the engine hands to the manager, in words: engine, endpoint, lock and reason, with
 * what the connection knows when etcd did not answer. Thread-safe.
 */
final class EtcdFailures {
    /**
     * The logger of the engine's warnings (keep-alives, removals given up, a session lease not
     * revoked on close), under the engine's class name, as docs/usage.md lists it.
     */
    static final System.Logger LOG = System.getLogger("dev.globallock.etcd.EtcdLockEngine");

    private final String endpoint;
    private final EngineErrors errors;
    private final EtcdConnection connection;
    private final EtcdRuntime runtime;

    EtcdFailures(String endpoint, EtcdConnection connection, EtcdRuntime runtime) {
        this.endpoint = endpoint;
        this.errors = EngineErrors.of("etcd", () -> endpoint);
        this.connection = connection;
        this.runtime = runtime;
    }

    /** The endpoints as messages show them: never credentials. */
    String endpoint() {
        return endpoint;
    }

    /**
     * What the own client's channel knows to be wrong with the connection, without I/O; empty with
     * an application's client, and once the engine is closed or abandoned.
     */
    Optional<LockBackendException> connectionProblem() {
        if (runtime.stopped()) {
            return Optional.empty();
        }
        return connection.problem().map(LockBackendException::new);
    }

    /**
     * The acquisition of lock {@code name} cannot succeed while the channel fails this way: engine,
     * endpoint, lock and the cause in words, such as {@code engine 'etcd' at https://… failed to
     * acquire lock 'report': the TLS handshake failed: certificate expired (…)}.
     */
    LockBackendException definite(String name, EtcdChannelState.Definite failure) {
        return errors.failed("acquire", EngineErrors.lock(name), failure.words(), failure.cause());
    }

    /** A failure as the exception the manager passes on: engine, endpoint, lock and reason. */
    LockBackendException failed(String operation, String name, Throwable failure) {
        Throwable cause = EtcdErrors.unwrap(failure);
        if (cause instanceof LockBackendException) {
            return (LockBackendException) cause;
        }
        String reason = EtcdErrors.describe(cause, connection.user);
        if (EtcdErrors.transientFailure(cause)) {
            // no answer: say why, when the channel knows
            reason += connectionProblem()
                    .map(problem -> "; " + problem.getMessage())
                    .orElse("");
        }
        return errors.failed(operation, EngineErrors.lock(name), reason, cause);
    }

    /** The engine is closed or abandoned: {@code what} cannot be done. */
    LockBackendException stopped(String what) {
        return errors.unusable(runtime.stoppedState(), what);
    }

    /** The engine is closed or abandoned: no renewal. */
    LockBackendException cannotRenew() {
        return new LockBackendException(errors.say(runtime.stoppedState() + ": cannot renew"));
    }

    /** A renewal could not tell whether {@code count} locks are still held. */
    LockBackendException renewalFailed(int count, Throwable problem) {
        return new LockBackendException(
                errors.say("could not renew " + count + " lock(s): " + EtcdErrors.describe(problem, connection.user)),
                EtcdErrors.unwrap(problem));
    }

    /** etcd raised the TTL of a lock's own lease to its minimum: the lock would outlive its lease time. */
    LockBackendException leaseTooShort(String name, String leaseTime, long grantedTtlSeconds) {
        return new LockBackendException(errors.engineAt()
                + " cannot honour the lease time " + leaseTime + " of lock '" + name
                + "': this etcd grants leases of at least " + grantedTtlSeconds
                + "s (its minimum TTL, 1.5 × the election timeout); use a lease time of at least "
                + grantedTtlSeconds + "s");
    }

    /** The lock's key or lease is gone: another owner may hold the lock now. */
    LockLostException lost(EtcdGrant grant) {
        return new LockLostException(
                grant.name,
                "etcd at " + endpoint + " no longer holds lock '" + grant.name + "' for this owner: "
                        + (grant.lease.isDead()
                                ? "its lease " + grant.lease.hex() + " expired or was revoked"
                                : "its key " + EtcdKeys.text(grant.key) + " was deleted"));
    }
}
