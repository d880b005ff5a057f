package dev.globallock.spring.app;

import dev.globallock.tck.fixture.RedisServer;
import java.util.Map;

/** The two-node application on a real Redis. */
class RedisApplicationTest extends TwoNodeApplicationContract {
    private RedisServer redis;

    @Override
    protected void startBackend() {
        redis = RedisServer.start();
    }

    @Override
    protected void closeBackend() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected String engine() {
        return "redis";
    }

    @Override
    protected Map<String, Object> engineProperties() {
        return Map.of("redis.nodes[0]", redis.uri(), "redis.failover-timeout", "2s");
    }

    @Override
    protected boolean stopServer() {
        redis.process().stop();
        return true;
    }

    @Override
    protected void restartServer() {
        redis.process().restart();
    }
}
