package dev.globallock.redis;

import dev.globallock.LockInfo;
import java.util.List;
import java.util.Set;

/**
 * The lock protocol over one Redis topology. Every method blocks on network I/O (bounded by the
 * connect and command timeouts) and is called on an engine I/O thread or on a caller that waits
 * anyway, never on the manager's scheduler. Failures are thrown as Jedis exceptions. Thread-safe.
 */
interface Backend {
    /** The endpoints, without credentials. */
    String describe();

    /** One atomic attempt for the owner; never re-sent blindly (a retry with the same owner is recognised). */
    AcquireReply acquire(LockKeys keys, byte[] owner, long leaseMillis);

    /** Owner-checked release and notification; true if it deleted the lock. */
    boolean release(LockKeys keys, byte[] owner);

    /** Extends the leases in as few script calls as the topology allows; returns the grants no longer held. */
    Set<RedisGrant> renew(List<RedisGrant> grants);

    /** Reads the lock's holder and remaining lease. */
    LockInfo inspect(String name, LockKeys keys);

    /** Deletes the lock's fencing counter where the lock is not held (every node that answers). */
    void discardFence(LockKeys keys);

    /** Where releases of this lock are published: the subscribers to listen on (one, or all Redlock nodes). */
    List<Subscriber> subscribersFor(LockKeys keys);

    /** Re-reads the topology after an error (cluster slots); a no-op elsewhere. */
    default void refreshTopology() {}

    /** Closes subscribers and connection pools (not an application's client). Idempotent. */
    void close();
}
