/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Secret;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;

/**
 * JAAS login contexts of the engines' own SASL DIGEST-MD5 users, so that an application configures
 * {@code zookeeper.sasl.username} and a password instead of a JAAS file and a JVM-wide system
 * property. ZooKeeper's client reads its login context from the JVM's JAAS {@link Configuration}
 * only (the context's name is per client: {@code zookeeper.sasl.clientconfig}); so the first engine
 * that needs one installs a configuration that answers the engines' context names, each unique to
 * an engine, and hands every other name to the configuration it replaced. An engine removes its
 * context when it closes. Thread-safe.
 */
final class EngineJaas extends Configuration {
    private static final String DIGEST_LOGIN_MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";
    private static final String PREFIX = "globallock-zookeeper-";

    private static EngineJaas installed;

    private final Configuration previous;
    private final Map<String, AppConfigurationEntry[]> contexts = new ConcurrentHashMap<>();

    private EngineJaas(Configuration previous) {
        this.previous = previous;
    }

    /** A login context for the user, installed in the JVM's JAAS configuration: its name. */
    static String register(String username, Secret password) {
        String name = PREFIX + UUID.randomUUID();
        AppConfigurationEntry entry = new AppConfigurationEntry(
                DIGEST_LOGIN_MODULE,
                LoginModuleControlFlag.REQUIRED,
                Map.of("username", username, "password", password.reveal()));
        jaas().contexts.put(name, new AppConfigurationEntry[] {entry});
        return name;
    }

    /** Removes a login context {@link #register} made. */
    static void unregister(String name) {
        EngineJaas jaas;
        synchronized (EngineJaas.class) {
            jaas = installed;
        }
        if (jaas != null) {
            jaas.contexts.remove(name);
        }
    }

    /** Ours, installed now if it is not the JVM's configuration (someone may have replaced it since). */
    private static synchronized EngineJaas jaas() {
        Configuration current = current();
        if (installed == null || current != installed) {
            EngineJaas next = new EngineJaas(current);
            if (installed != null) {
                next.contexts.putAll(installed.contexts);
            }
            Configuration.setConfiguration(next);
            installed = next;
        }
        return installed;
    }

    /** The JVM's JAAS configuration, or null when it cannot make one (no JAAS file at all). */
    private static Configuration current() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException e) {
            return null;
        }
    }

    @Override
    public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        AppConfigurationEntry[] ours = contexts.get(name);
        if (ours != null) {
            return ours.clone();
        }
        return previous == null ? null : previous.getAppConfigurationEntry(name);
    }

    @Override
    public void refresh() {
        if (previous != null) {
            previous.refresh();
        }
    }

    @Override
    public String toString() {
        return "EngineJaas{" + contexts.size() + " login context(s) of zookeeper engines}";
    }
}
