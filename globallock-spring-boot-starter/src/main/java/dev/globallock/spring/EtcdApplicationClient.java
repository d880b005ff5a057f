/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.etcd.EtcdEngineConfig;
import dev.globallock.etcd.EtcdLockEngine;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import io.etcd.jetcd.Client;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;

/** The {@code etcd} engine on the application's jetcd {@link Client} bean, which it never closes. */
final class EtcdApplicationClient implements ApplicationClientEngine {
    private final ObjectProvider<Client> clients;

    EtcdApplicationClient(ObjectProvider<Client> clients) {
        this.clients = clients;
    }

    @Override
    public String engine() {
        return "etcd";
    }

    @Override
    public String serverKey() {
        return "endpoints";
    }

    @Override
    public String client() {
        return "the application's jetcd Client bean";
    }

    @Override
    public boolean available() {
        return clients.getIfUnique() != null;
    }

    @Override
    public List<String> connectionKeys() {
        return List.of(
                "user",
                "username",
                "password",
                "password-file",
                "tls",
                "connect-timeout",
                "keepalive-time",
                "keepalive-timeout");
    }

    @Override
    public Supplier<LockEngine> read(ConfigSection section) {
        EtcdEngineConfig.Builder builder = EtcdEngineConfig.builder();
        section.string("namespace")
                .ifPresent(namespace ->
                        ClientSettings.apply(section, "namespace", namespace, () -> builder.namespace(namespace)));
        builder.requestTimeout(section.positiveDuration("request-timeout", EtcdEngineConfig.DEFAULT_REQUEST_TIMEOUT));
        return () -> EtcdLockEngine.open(builder.client(clients.getObject()).build());
    }
}
