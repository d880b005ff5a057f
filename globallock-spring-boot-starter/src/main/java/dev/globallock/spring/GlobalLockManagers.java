/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import dev.globallock.LockEventListener;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Opens the application's {@link GlobalLockManager} from the {@code globallock.*} map: through the
 * library's own configuration path, or, when the engine's section names no server and the
 * application has that engine's client as a bean, on that client.
 */
final class GlobalLockManagers {
    /** A problem that starts with a key path, as {@code redis.nodes[0] was ...}. */
    private static final Pattern KEY_PROBLEM =
            Pattern.compile("^[a-z0-9][a-z0-9-]*(?:\\[\\d+])*(?:\\.[a-z0-9][a-z0-9-]*(?:\\[\\d+])*)* was ");

    private GlobalLockManagers() {}

    /**
     * Opens the manager.
     *
     * @param engineSeen told of the engine the manager runs on (for the health details)
     * @throws LockConfigException listing every problem, each naming its {@code globallock.} key
     */
    static GlobalLockManager open(
            Map<String, Object> config,
            LockEventListener listener,
            List<ApplicationClientEngine> clients,
            Consumer<LockEngine> engineSeen) {
        Object engineName = config.get("engine");
        Object section = engineName == null ? null : config.get(String.valueOf(engineName));
        try {
            for (ApplicationClientEngine client : clients) {
                if (client.appliesTo(String.valueOf(engineName), section instanceof Map ? (Map<?, ?>) section : null)) {
                    return onClient(config, client, listener, engineSeen);
                }
            }
            GlobalLockManager.Builder builder = GlobalLockManager.builder()
                    .config(config)
                    .decorateEngine(engine -> {
                        engineSeen.accept(engine);
                        return engine;
                    });
            if (listener != null) {
                builder.eventListener(listener);
            }
            return builder.build();
        } catch (LockConfigException e) {
            throw prefixed(e);
        }
    }

    /**
     * The manager on the application's client. The engine-independent keys are read as {@code
     * ManagerSettings} reads them, with the same accessors and messages; the engine section keeps
     * only the keys that apply with a client of the application's.
     */
    private static GlobalLockManager onClient(
            Map<String, Object> config,
            ApplicationClientEngine client,
            LockEventListener listener,
            Consumer<LockEngine> engineSeen) {
        ConfigSection root = ConfigSection.of("", config);
        root.string("engine");
        String keyPrefix = root.string("key-prefix", "");
        ConfigSection defaults = root.section("defaults");
        Optional<String> waitText = defaults.has("wait-time") ? defaults.string("wait-time") : Optional.empty();
        boolean waitForever = waitText.isPresent() && waitText.get().trim().equalsIgnoreCase("forever");
        Duration waitTime = waitForever ? null : defaults.duration("wait-time").orElse(null);
        Duration leaseTime = defaults.duration("lease-time").orElse(null);
        if (leaseTime != null && leaseTime.isZero()) {
            defaults.problem("lease-time", "0ms", "it must be longer than zero; leave it out for a watchdog lease");
            leaseTime = null;
        }
        Duration watchdogLease = root.section("watchdog").positiveDuration("lease", null);
        Duration operationTimeout = root.positiveDuration("operation-timeout", null);
        root.allow("memory", "file", "redis", "etcd", "zookeeper");
        root.allow(GlobalLockManager.availableEngines().keySet().toArray(new String[0]));

        ConfigSection section = root.section(client.engine());
        for (String key : client.connectionKeys()) {
            if (section.has(key)) {
                Object value = ((Map<?, ?>) config.get(client.engine())).get(key);
                section.problem(
                        key,
                        key.contains("password") ? "******" : value instanceof Map ? "{...}" : value,
                        "it belongs to " + client.client() + ", which globallock uses because "
                                + GlobalLockEnvironment.PREFIX + "." + client.engine() + "." + client.serverKey()
                                + " is not set: configure it on that client, or set "
                                + GlobalLockEnvironment.PREFIX + "." + client.engine() + "." + client.serverKey()
                                + " to have globallock connect by itself");
            }
        }
        Supplier<LockEngine> opener = client.read(section);
        root.validate();

        LockEngine engine = opener.get();
        engineSeen.accept(engine);
        GlobalLockManager.Builder builder =
                GlobalLockManager.builder().engine(engine).keyPrefix(keyPrefix);
        if (waitTime != null) {
            builder.defaultWaitTime(waitTime);
        }
        if (leaseTime != null) {
            builder.defaultLeaseTime(leaseTime);
        }
        if (watchdogLease != null) {
            builder.watchdogLease(watchdogLease);
        }
        if (operationTimeout != null) {
            builder.operationTimeout(operationTimeout);
        }
        if (listener != null) {
            builder.eventListener(listener);
        }
        return builder.build();
    }

    /** The same problems, each key path under {@code globallock.}. */
    static LockConfigException prefixed(LockConfigException e) {
        List<String> problems = new ArrayList<>();
        for (String problem : e.problems()) {
            problems.add(KEY_PROBLEM.matcher(problem).find() ? GlobalLockEnvironment.PREFIX + "." + problem : problem);
        }
        LockConfigException prefixed = new LockConfigException(problems);
        prefixed.setStackTrace(e.getStackTrace());
        return prefixed;
    }
}
