/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockEngineProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The engine providers found with {@link ServiceLoader}. One provider that fails to load is
 * recorded and skipped, so it does not hide the others.
 */
final class EngineProviders {
    /**
     * The engines this project publishes. A configuration may carry their sections when they are
     * not on the class path (one file for several deployments), and a missing one is named with its
     * artifact: {@code dev.globallock:globallock-<name>}, the convention every engine module follows
     * (the in-JVM {@code memory} engine is part of {@code globallock-api}).
     */
    private static final Set<String> PUBLISHED = Set.of("redis", "etcd", "zookeeper", "file", "memory");

    private final Map<String, LockEngineProvider> byName;
    private final List<String> failures;

    private EngineProviders(Map<String, LockEngineProvider> byName, List<String> failures) {
        this.byName = byName;
        this.failures = failures;
    }

    static EngineProviders load(ClassLoader classLoader) {
        Map<String, LockEngineProvider> byName = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Iterator<LockEngineProvider> iterator =
                ServiceLoader.load(LockEngineProvider.class, classLoader).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                LockEngineProvider provider = iterator.next();
                byName.putIfAbsent(provider.name(), provider);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                failures.add(String.valueOf(e.getMessage()));
            }
        }
        return new EngineProviders(byName, failures);
    }

    /** The providers visible from the api's own class loader. */
    static EngineProviders load() {
        return load(EngineProviders.class.getClassLoader());
    }

    LockEngineProvider find(String name) {
        return byName.get(name);
    }

    Map<String, LockEngineProvider> all() {
        return byName;
    }

    /** Provider name to description. */
    Map<String, String> descriptions() {
        Map<String, String> engines = new LinkedHashMap<>();
        byName.forEach((name, provider) -> engines.put(name, provider.description()));
        return engines;
    }

    /** Names every engine may use for its configuration section. */
    List<String> sectionNames() {
        List<String> names = new ArrayList<>(PUBLISHED);
        names.addAll(byName.keySet());
        return names;
    }

    /** The artifact that adds an engine of this project: {@code dev.globallock:globallock-<name>}. */
    static String artifactOf(String engine) {
        return "dev.globallock:globallock-" + (engine.equals("memory") ? "api" : engine);
    }

    /** Why {@code name} is not usable: the engines found and the artifact that would add it. */
    String unknownEngineReason(String name) {
        StringBuilder reason = new StringBuilder("no engine of that name is on the class path; found: ")
                .append(byName.isEmpty() ? "none" : String.join(", ", byName.keySet()));
        if (PUBLISHED.contains(name)) {
            reason.append(" (add the ")
                    .append(artifactOf(name))
                    .append(" artifact for '")
                    .append(name)
                    .append("')");
        }
        if (!failures.isEmpty()) {
            reason.append("; providers that failed to load: ").append(String.join("; ", failures));
        }
        return reason.toString();
    }
}
