/** The {@code redis} engine on Jedis (an automatic module): single server, Sentinel, Cluster, Redlock. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.globallock.redis {
    requires transitive dev.globallock.api;
    requires transitive redis.clients.jedis; // RedisEngineConfig takes a RedisClient the application made
    requires org.apache.commons.pool2;

    exports dev.globallock.redis;

    provides dev.globallock.spi.LockEngineProvider with
            dev.globallock.redis.RedisLockEngineProvider;
}
