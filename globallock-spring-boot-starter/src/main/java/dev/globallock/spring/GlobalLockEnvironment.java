/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.GlobalLockManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Reads the {@code globallock.*} properties of a Spring environment into the map the library reads
 * ({@link GlobalLockManager#create(Map)}): the same keys, nested the same way, lists from indexed
 * properties ({@code globallock.redis.nodes[0]}). Nothing is validated here; the library does that.
 *
 * <p>Placeholders are Spring's and are resolved here ({@code ${VAR:default}}, other properties);
 * the library's form {@code ${VAR:-default}} is read as Spring's, so a configuration copied from a
 * globallock YAML file means the same.
 *
 * <p>Spring's rules apply on the way: the first property source that has a key wins, a list comes
 * whole from the first source that has any of its elements, and {@code ${...}} placeholders are
 * Spring's. Keys written without dashes, as environment variables must be ({@code
 * GLOBALLOCK_DEFAULTS_WAITTIME}), get the dashes of the library key with the same letters, taken
 * from the library's reference configuration.
 */
final class GlobalLockEnvironment {
    static final String PREFIX = "globallock";
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    /** The library's {@code ${VAR:-default}}, which Spring would read as a default of {@code -default}. */
    private static final Pattern LIBRARY_DEFAULT = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*):-");

    private static final Pattern KEY = Pattern.compile("(?m)^[\\s#]*([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\\s*:");
    private static final Map<String, String> DASHED_KEYS = dashedKeys();

    private GlobalLockEnvironment() {}

    /** The {@code globallock.*} tree; empty when no such property is set. */
    static Map<String, Object> read(ConfigurableEnvironment environment) {
        PropertySourcesPlaceholdersResolver placeholders = new PropertySourcesPlaceholdersResolver(environment);
        Map<String, Object> merged = new LinkedHashMap<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource)) {
                continue;
            }
            Map<String, Object> tree = new LinkedHashMap<>();
            ((IterableConfigurationPropertySource) source)
                    .filter(ROOT::isAncestorOf)
                    .forEach(name -> {
                        ConfigurationProperty property = source.getConfigurationProperty(name);
                        if (property != null) {
                            Object value = property.getValue();
                            if (value instanceof String) {
                                value = placeholders.resolvePlaceholders(
                                        LIBRARY_DEFAULT.matcher((String) value).replaceAll("\\${$1:"));
                            }
                            put(tree, name, value);
                        }
                    });
            merge(merged, tree);
        }
        return finish(merged);
    }

    /** Adds one property below the root, creating sections and indexed lists on the way. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, ConfigurationPropertyName name, Object value) {
        Object node = tree;
        int last = name.getNumberOfElements() - 1;
        for (int i = ROOT.getNumberOfElements(); i <= last; i++) {
            Object key = key(name, i);
            Object existing = get(node, key);
            Object child;
            if (i == last) {
                if (existing instanceof Map) {
                    return; // a section with keys below it wins over a value at its own name
                }
                child = value;
            } else if (existing instanceof Map) {
                child = existing;
            } else {
                child = name.isNumericIndex(i + 1) ? new Indexed() : new LinkedHashMap<String, Object>();
            }
            if (node instanceof Indexed) {
                if (!(key instanceof Integer)) {
                    return; // a list with a named element: not something the library reads
                }
                ((Indexed) node).put((Integer) key, child);
            } else {
                ((Map<Object, Object>) node).put(String.valueOf(key), child);
            }
            node = child;
        }
    }

    private static Object get(Object node, Object key) {
        if (node instanceof Indexed) {
            return key instanceof Integer ? ((Indexed) node).get(key) : null;
        }
        return ((Map<?, ?>) node).get(String.valueOf(key));
    }

    private static Object key(ConfigurationPropertyName name, int index) {
        if (name.isNumericIndex(index)) {
            return Integer.valueOf(name.getElement(index, Form.UNIFORM));
        }
        String uniform = name.getElement(index, Form.UNIFORM);
        return DASHED_KEYS.getOrDefault(uniform, name.getElement(index, Form.DASHED));
    }

    /** Adds what a lower-precedence source has and the higher ones lack; a list is never mixed. */
    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> higher, Map<String, Object> lower) {
        lower.forEach((key, value) -> {
            Object existing = higher.get(key);
            if (existing == null) {
                higher.put(key, value);
            } else if (existing instanceof Map
                    && !(existing instanceof Indexed)
                    && value instanceof Map
                    && !(value instanceof Indexed)) {
                merge((Map<String, Object>) existing, (Map<String, Object>) value);
            }
        });
    }

    /** Lists for indexed nodes, in index order. */
    private static Map<String, Object> finish(Map<String, Object> tree) {
        Map<String, Object> result = new LinkedHashMap<>();
        tree.forEach((key, value) -> result.put(key, finishValue(value)));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Object finishValue(Object value) {
        if (value instanceof Indexed) {
            List<Object> list = new ArrayList<>();
            ((Indexed) value).values().forEach(item -> list.add(finishValue(item)));
            return list;
        }
        if (value instanceof Map) {
            return finish((Map<String, Object>) value);
        }
        return value;
    }

    /** The library's dashed keys by their letters: {@code waittime} to {@code wait-time}. */
    private static Map<String, String> dashedKeys() {
        Map<String, String> keys = new HashMap<>();
        try (InputStream in = GlobalLockManager.class.getResourceAsStream("globallock-reference.yaml")) {
            if (in == null) {
                return keys;
            }
            Matcher matcher = KEY.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            while (matcher.find()) {
                String key = matcher.group(1);
                keys.putIfAbsent(key.replace("-", "").toLowerCase(Locale.ROOT), key);
            }
        } catch (IOException e) {
            // without the reference, keys keep the form they were written in
        }
        return keys;
    }

    /** The elements of a list while it is read, by index. */
    private static final class Indexed extends TreeMap<Integer, Object> {
        private static final long serialVersionUID = 1L;
    }
}
