/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.LockGrant;
import java.util.Objects;
import java.util.OptionalLong;

/** One acquisition: the lock's keys, the random owner id checked on release and renewal, the token. Immutable. */
final class RedisGrant implements LockGrant {
    final String name;
    final LockKeys keys;
    /** The random owner id, as sent. */
    final byte[] owner;

    final long token;
    final long leaseMillis;
    /** The manager's ticker just before the granting attempt was sent. */
    final long sentAtNanos;

    RedisGrant(String name, LockKeys keys, byte[] owner, long token, long leaseMillis, long sentAtNanos) {
        this.name = name;
        this.keys = keys;
        this.owner = owner;
        this.token = token;
        this.leaseMillis = leaseMillis;
        this.sentAtNanos = sentAtNanos;
    }

    /**
     * The grant as the redis engine made it.
     *
     * @throws IllegalArgumentException when another engine made it
     */
    static RedisGrant of(LockGrant grant) {
        Objects.requireNonNull(grant, "grant");
        if (!(grant instanceof RedisGrant)) {
            throw new IllegalArgumentException("grant " + grant + " was not made by the redis engine");
        }
        return (RedisGrant) grant;
    }

    @Override
    public long fencingToken() {
        return token;
    }

    @Override
    public OptionalLong leaseConfirmedAtNanos() {
        return OptionalLong.of(sentAtNanos);
    }

    @Override
    public String toString() {
        return "RedisGrant{" + name + ", token=" + token + "}";
    }
}
