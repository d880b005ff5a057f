/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.zookeeper.ZooKeeperEngineConfig;
import dev.globallock.zookeeper.ZooKeeperLockEngine;
import java.util.List;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The {@code zookeeper} engine on the application's started {@link CuratorFramework} bean, which it
 * never closes; the locks live under the client's own namespace, if it has one.
 */
final class ZooKeeperApplicationClient implements ApplicationClientEngine {
    private final ObjectProvider<CuratorFramework> clients;

    ZooKeeperApplicationClient(ObjectProvider<CuratorFramework> clients) {
        this.clients = clients;
    }

    @Override
    public String engine() {
        return "zookeeper";
    }

    @Override
    public String serverKey() {
        return "connect-string";
    }

    @Override
    public String client() {
        return "the application's CuratorFramework bean";
    }

    @Override
    public boolean available() {
        return clients.getIfUnique() != null;
    }

    @Override
    public List<String> connectionKeys() {
        return List.of("session-timeout", "connection-timeout", "retry", "digest", "sasl", "tls");
    }

    @Override
    public Supplier<LockEngine> read(ConfigSection section) {
        ZooKeeperEngineConfig.Builder builder = ZooKeeperEngineConfig.builder();
        section.string("namespace")
                .ifPresent(namespace ->
                        ClientSettings.apply(section, "namespace", namespace, () -> builder.namespace(namespace)));
        builder.acl(section.choice("acl", ZooKeeperEngineConfig.Acl.class, ZooKeeperEngineConfig.Acl.OPEN));
        return () ->
                ZooKeeperLockEngine.open(builder.client(clients.getObject()).build());
    }
}
