package dev.globallock.spi;

/**
 * An engine's record of one acquisition: what it needs to renew and release it (owner id, node
 * path, lease id...). The manager only reads the fencing token and hands the grant back to the
 * engine that made it. Implementations must be immutable or thread-safe.
 */
public interface LockGrant {
    /** The fencing token minted for this acquisition. */
    long fencingToken();
}
