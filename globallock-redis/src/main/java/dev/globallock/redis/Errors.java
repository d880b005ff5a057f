/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.util.List;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * The failures of the engine's Redis calls: short, credential-free descriptions for exception
 * messages, how the engine reads them (unreachable, passing, may have run), and the two failures
 * the backends raise themselves.
 */
final class Errors {
    /** Server errors that a failover, a restart or a slot migration ends (the first word of the reply). */
    private static final List<String> PASSING_ERROR_CODES =
            List.of("READONLY", "MASTERDOWN", "LOADING", "TRYAGAIN", "CLUSTERDOWN");

    private Errors() {}

    /** The failure and its innermost distinct cause, such as {@code JedisConnectionException: ... (ConnectException: Connection refused)}. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(shortly(failure));
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure && root.getMessage() != null && !text.toString().contains(root.getMessage())) {
            text.append(" (").append(shortly(root)).append(')');
        }
        return text.toString();
    }

    /**
     * Whether the failure means the backend could not be reached (no connection, a broken one, no
     * reply in time, no majority of Redlock nodes), rather than an answer that refused something.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisConnectionException
                    || t instanceof QuorumUnavailable
                    || t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure is one that passes while a master fails over, a server restarts or slots
     * move, so that an acquisition that may still wait tries again: no connection or a broken one, no
     * reply in time, no free pooled connection in time, a master that was demoted ({@code READONLY})
     * or lost its own master ({@code MASTERDOWN}), a server still loading its data ({@code LOADING}),
     * a cluster between two topologies ({@code CLUSTERDOWN}, {@code TRYAGAIN}, a redirection that
     * one hop did not settle, no node for the slot), or replicas that did not acknowledge a grant in
     * time ({@code wait-for-replicas}; the grant was undone). Not a Redlock round without a majority
     * (its masters are independent: no failover ends that), nor a refused password, database or
     * script.
     */
    static boolean passing(Throwable failure) {
        if (failure instanceof QuorumUnavailable) {
            return false;
        }
        if (failure instanceof ReplicationShortfall
                || failure instanceof JedisRedirectionException
                || failure instanceof JedisClusterException
                || failure instanceof JedisClusterOperationException) {
            return true;
        }
        if (failure instanceof JedisDataException) {
            String message = failure.getMessage();
            if (message == null) {
                return false;
            }
            for (String code : PASSING_ERROR_CODES) {
                if (message.startsWith(code)) {
                    return true;
                }
            }
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisConnectionException
                    || t instanceof java.io.IOException
                    || t instanceof java.util.NoSuchElementException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a command may have run although it failed: its connection broke or timed out after it
     * was sent (a server that hangs runs it when it resumes). Not when no connection could be made.
     */
    static boolean mayHaveRun(Throwable failure) {
        if (!(failure instanceof JedisConnectionException)) {
            return false;
        }
        String message = failure.getMessage();
        return message == null
                || !(message.startsWith("Failed to connect to") || message.startsWith("Failed to create socket"));
    }

    /** The server's reply when it refused the configured database index (SELECT on connecting), else null. */
    static String databaseRefused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisDataException
                    && t.getMessage() != null
                    && t.getMessage().contains("DB index is out of range")) {
                return t.getMessage().trim();
            }
        }
        return null;
    }

    private static String shortly(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message.trim());
    }

    /** Fewer than a majority of the Redlock nodes answered. */
    static final class QuorumUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QuorumUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The replicas did not acknowledge an acquisition in time ({@code wait-for-replicas}); it was undone. */
    static final class ReplicationShortfall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplicationShortfall(String message) {
            super(message);
        }
    }
}
