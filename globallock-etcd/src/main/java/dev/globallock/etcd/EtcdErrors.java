/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.support.EngineErrors;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.util.Locale;

/** Classifies and describes jetcd and gRPC failures in words an operator can act on. */
final class EtcdErrors {
    private EtcdErrors() {}

    static Throwable unwrap(Throwable failure) {
        return EngineErrors.unwrap(failure);
    }

    static Status.Code code(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EtcdException) {
            return Status.Code.valueOf(((EtcdException) cause).getErrorCode().name());
        }
        return Status.fromThrowable(cause).getCode();
    }

    /** A failure that may go away by itself: no connection, no leader, a deadline. */
    static boolean transientFailure(Throwable failure) {
        Status.Code code = code(failure);
        return code == Status.Code.UNAVAILABLE
                || code == Status.Code.DEADLINE_EXCEEDED
                || allMessages(failure).contains("leader changed")
                || allMessages(failure).contains("request timed out");
    }

    /** etcd says the lease does not exist (expired or revoked). */
    static boolean leaseNotFound(Throwable failure) {
        return allMessages(failure).contains("requested lease not found");
    }

    /** A short reason for messages: what happened, in etcd's words where it gave some. */
    static String describe(Throwable failure) {
        return describe(failure, null);
    }

    /** As {@link #describe(Throwable)}, naming the user of a failed authentication when known. */
    static String describe(Throwable failure, String user) {
        Throwable cause = unwrap(failure);
        String forUser = user == null ? "" : " for user '" + user + "'";
        String messages = allMessages(cause);
        Status.Code code = code(cause);
        if (messages.contains("authentication is not enabled")) {
            // jetcd reports it as UNAUTHENTICATED; etcd's own words are only in the cause
            return "authentication is not enabled on the server, but etcd.user and etcd.password are set:"
                    + " leave them out, or enable authentication on etcd (etcdctl auth enable)";
        }
        if (messages.contains("authentication failed") || messages.contains("invalid user id or password")) {
            return "authentication failed" + forUser + ": etcd rejected the user name or password";
        }
        if (messages.contains("user name is empty") || messages.contains("user name not found")) {
            return "authentication is required by etcd but no valid user was given";
        }
        if (code == Status.Code.PERMISSION_DENIED || messages.contains("permission denied")) {
            return "permission denied: the etcd user may not read or write the lock keys";
        }
        if (code == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer within the request timeout (the member is unreachable, frozen or has no leader)";
        }
        if (code == Status.Code.UNAVAILABLE) {
            return "etcd is unavailable (" + firstMessage(cause) + ")";
        }
        if (code == Status.Code.UNAUTHENTICATED) {
            return "authentication failed" + forUser + " (" + firstMessage(cause) + ")";
        }
        return firstMessage(cause);
    }

    private static String firstMessage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return failure.getClass().getSimpleName();
    }

    private static String allMessages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 10; t = t.getCause(), depth++) {
            if (t.getMessage() != null) {
                text.append(t.getMessage().toLowerCase(Locale.ROOT)).append(' ');
            }
        }
        return text.toString();
    }
}
