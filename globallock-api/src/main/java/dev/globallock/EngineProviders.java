package dev.globallock;

import dev.globallock.spi.LockEngineProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The engine providers found with {@link ServiceLoader}. One provider that fails to load is
 * recorded and skipped, so it does not hide the others.
 */
final class EngineProviders {
    /** Which artifact adds which engine, for the message when one is missing. */
    private static final Map<String, String> ARTIFACTS = Map.of(
            "redis", "dev.globallock:globallock-redis",
            "etcd", "dev.globallock:globallock-etcd",
            "zookeeper", "dev.globallock:globallock-zookeeper",
            "memory", "dev.globallock:globallock-api",
            "file", "dev.globallock:globallock-api");

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

    LockEngineProvider find(String name) {
        return byName.get(name);
    }

    Map<String, LockEngineProvider> all() {
        return byName;
    }

    /** Names every engine may use for its configuration section. */
    List<String> sectionNames() {
        List<String> names = new ArrayList<>(ARTIFACTS.keySet());
        names.addAll(byName.keySet());
        return names;
    }

    /** Why {@code name} is not usable: the engines found and the artifact that would add it. */
    String unknownEngineReason(String name) {
        StringBuilder reason = new StringBuilder("no engine of that name is on the class path; found: ")
                .append(byName.isEmpty() ? "none" : String.join(", ", byName.keySet()));
        String artifact = ARTIFACTS.get(name);
        if (artifact != null) {
            reason.append(" (add the ")
                    .append(artifact)
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
