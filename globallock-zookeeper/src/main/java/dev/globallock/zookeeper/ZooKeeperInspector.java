package dev.globallock.zookeeper;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import dev.globallock.spi.LockInspector;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Reads who holds a lock: the lowest lock node under the lock's parent, and its czxid (the
 * holder's fencing token). Two reads; if the holder's node goes between them, it looks again. The
 * remaining lease is not reported: the lease is the holder's session, which only the server tracks.
 */
final class ZooKeeperInspector implements LockInspector {
    private final CuratorFramework client;
    private final String endpoint;

    ZooKeeperInspector(CuratorFramework client, String endpoint) {
        this.client = client;
        this.endpoint = endpoint;
    }

    @Override
    public CompletableFuture<LockInfo> inspect(String name, String key) {
        CompletableFuture<LockInfo> result = new EngineFuture<>();
        inspect(name, LockPaths.parentOf(key), result, new AtomicInteger());
        return result;
    }

    private void inspect(String name, String parent, CompletableFuture<LockInfo> result, AtomicInteger attempts) {
        try {
            client.getChildren()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.NONODE) {
                            result.complete(LockInfo.free(name));
                            return;
                        }
                        if (code != Code.OK) {
                            result.completeExceptionally(failure(name, code.toString(), null));
                            return;
                        }
                        String lowest = null;
                        long lowestSequence = Long.MAX_VALUE;
                        for (String child : event.getChildren()) {
                            OptionalLong sequence = LockPaths.sequenceOf(child);
                            if (sequence.isPresent() && sequence.getAsLong() < lowestSequence) {
                                lowest = child;
                                lowestSequence = sequence.getAsLong();
                            }
                        }
                        if (lowest == null) {
                            result.complete(LockInfo.free(name));
                            return;
                        }
                        readHolder(name, parent, parent + "/" + lowest, result, attempts);
                    })
                    .forPath(parent);
        } catch (Exception e) {
            result.completeExceptionally(failure(name, e.toString(), e));
        }
    }

    private void readHolder(
            String name, String parent, String holder, CompletableFuture<LockInfo> result, AtomicInteger attempts) {
        try {
            client.checkExists()
                    .inBackground((c, event) -> {
                        Code code = Code.get(event.getResultCode());
                        if (code == Code.OK && event.getStat() != null) {
                            result.complete(LockInfo.held(
                                    name, OptionalLong.of(event.getStat().getCzxid()), Optional.empty()));
                        } else if (code == Code.NONODE && attempts.incrementAndGet() < 5) {
                            inspect(name, parent, result, attempts); // released meanwhile: look again
                        } else {
                            result.completeExceptionally(failure(name, code.toString(), null));
                        }
                    })
                    .forPath(holder);
        } catch (Exception e) {
            result.completeExceptionally(failure(name, e.toString(), e));
        }
    }

    private LockBackendException failure(String name, String why, Throwable cause) {
        return new LockBackendException(
                "engine 'zookeeper' at " + endpoint + " failed to inspect lock '" + name + "': " + why, cause);
    }
}
