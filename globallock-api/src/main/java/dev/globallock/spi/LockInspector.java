package dev.globallock.spi;

import dev.globallock.LockInfo;
import java.util.concurrent.CompletableFuture;

/** Reads a lock's state from the backend without touching it; an optional engine capability. */
public interface LockInspector {
    /**
     * @param name the application's lock name (for the result and messages)
     * @param key the prefixed key
     */
    CompletableFuture<LockInfo> inspect(String name, String key);
}
