package dev.globallock.redis;

import dev.globallock.LockInfo;
import java.util.List;
import java.util.Set;

final class ClusterBackend implements Backend {
    ClusterBackend(RedisEngineConfig config, Subscriber.Listener listener) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String describe() {
        return "";
    }

    @Override
    public AcquireReply acquire(LockKeys keys, String owner, long leaseMillis) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean release(LockKeys keys, String owner) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Set<RedisGrant> renew(List<RedisGrant> grants) {
        throw new UnsupportedOperationException();
    }

    @Override
    public LockInfo inspect(String name, LockKeys keys) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Subscriber> subscribersFor(LockKeys keys) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
