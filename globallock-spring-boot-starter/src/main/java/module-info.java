/**
 * The Spring Boot starter: auto-configuration of a {@code GlobalLockManager} from {@code
 * globallock.*}, {@link dev.globallock.spring.Locked} methods and a health indicator. Open to
 * Spring's reflection; the engines, their clients and Micrometer are optional.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.globallock.spring {
    requires transitive dev.globallock.api;
    requires transitive spring.context;
    requires spring.aop;
    requires spring.beans;
    requires spring.boot;
    requires spring.boot.autoconfigure;
    requires spring.core;
    requires spring.expression;
    requires static dev.globallock.micrometer;
    requires static micrometer.core;
    requires static dev.globallock.redis;
    requires static redis.clients.jedis;
    requires static dev.globallock.etcd;
    requires static jetcd.core;
    requires static dev.globallock.zookeeper;
    requires static curator.framework;

    exports dev.globallock.spring;

    opens dev.globallock.spring;
}
