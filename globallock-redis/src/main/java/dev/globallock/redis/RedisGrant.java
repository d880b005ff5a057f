package dev.globallock.redis;

import dev.globallock.spi.LockGrant;

/** One acquisition: the lock's keys, the random owner id checked on release and renewal, the token. Immutable. */
final class RedisGrant implements LockGrant {
    final String name;
    final LockKeys keys;
    /** The random owner id, as sent. */
    final byte[] owner;

    final long token;
    final long leaseMillis;

    RedisGrant(String name, LockKeys keys, byte[] owner, long token, long leaseMillis) {
        this.name = name;
        this.keys = keys;
        this.owner = owner;
        this.token = token;
        this.leaseMillis = leaseMillis;
    }

    @Override
    public long fencingToken() {
        return token;
    }

    @Override
    public String toString() {
        return "RedisGrant{" + name + ", token=" + token + "}";
    }
}
