/**
 * The {@code zookeeper} engine on Apache Curator. ZooKeeper and Curator ship as automatic modules,
 * and ZooKeeper's two jars share packages; see the module's pom for how it is compiled.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.globallock.zookeeper {
    requires transitive dev.globallock.api;
    requires transitive curator.framework;
    requires curator.client;
    requires zookeeper;

    exports dev.globallock.zookeeper;

    provides dev.globallock.spi.LockEngineProvider with
            dev.globallock.zookeeper.ZooKeeperLockEngineProvider;
}
