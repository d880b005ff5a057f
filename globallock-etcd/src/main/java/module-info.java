/** The {@code etcd} engine on jetcd (automatic modules, as are gRPC's). */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.globallock.etcd {
    requires transitive dev.globallock.api;
    requires transitive jetcd.core; // EtcdEngineConfig takes a Client the application made
    requires jetcd.common;
    requires jetcd.grpc;
    requires io.grpc;
    requires io.grpc.stub;
    requires io.grpc.util;
    requires io.netty.handler;
    requires com.google.protobuf;
    requires com.google.common;

    exports dev.globallock.etcd;

    provides dev.globallock.spi.LockEngineProvider with
            dev.globallock.etcd.EtcdLockEngineProvider;
}
