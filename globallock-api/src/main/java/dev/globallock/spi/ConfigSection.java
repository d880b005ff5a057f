/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi;

import dev.globallock.Durations;
import dev.globallock.LockConfigException;
import dev.globallock.Secret;
import dev.globallock.spi.support.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One section of the configuration with typed accessors that record problems instead of throwing,
 * so that {@link #validate()} can report every mistake at once, each as {@code <key path> was
 * '<value>' but <reason>}.
 *
 * <p>Every key read through an accessor counts as known; after reading, {@link #validate()}
 * reports keys that nobody read as unknown, with a did-you-mean hint. Values of keys read with
 * {@link #secret} are never shown. Not thread-safe: read it on one thread, then throw it away.
 */
public final class ConfigSection {
    private final ConfigSection parent;
    private final String path;
    private final Map<String, Object> values;
    private final List<String> problems;
    private final Set<String> known = new LinkedHashSet<>();
    private final Map<String, ConfigSection> children = new LinkedHashMap<>();

    private ConfigSection(ConfigSection parent, String path, Map<String, Object> values, List<String> problems) {
        this.parent = parent;
        this.path = path;
        this.values = values;
        this.problems = problems;
    }

    /** A root section over a map, with its own problem list; for engines configured in code and tests. */
    public static ConfigSection of(String path, Map<String, ?> values) {
        return new ConfigSection(null, path, copy(values), new ArrayList<>());
    }

    private static Map<String, Object> copy(Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, v) -> copy.put(String.valueOf(k), v));
        }
        return copy;
    }

    /** The dotted path of this section ({@code redis}), empty for the root. */
    public String path() {
        return path;
    }

    /** The dotted path of a key in this section, as it appears in messages. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether the key is present (marks it known). */
    public boolean has(String key) {
        known.add(key);
        return values.containsKey(key) && values.get(key) != null;
    }

    /** Marks keys as known without reading them. */
    public void allow(String... keys) {
        Collections.addAll(known, keys);
    }

    /** A string value, or empty when absent or not a string (a problem is recorded then). */
    public Optional<String> string(String key) {
        Object value = raw(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return Optional.of(String.valueOf(value));
        }
        problem(key, value, "it must be a text value");
        return Optional.empty();
    }

    /** A string value with a default. */
    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /**
     * A string that must be present and not blank; records a problem and returns "" otherwise (a
     * key given without a value, as YAML's {@code engine:}, is {@code <key> was empty but it is
     * required: <what is expected>}).
     */
    public String requiredString(String key, String whatIsExpected) {
        Optional<String> value = string(key);
        if (value.isEmpty() || value.get().isBlank()) {
            if (!values.containsKey(key)) {
                missing(key, whatIsExpected);
            } else if (values.get(key) == null) {
                problems.add(pathOf(key) + " was empty but it is required: " + whatIsExpected);
            } else if (value.isPresent()) {
                problem(key, value.get(), "it must not be blank: expected " + whatIsExpected);
            }
            return "";
        }
        return value.get();
    }

    /** A secret: its value never appears in messages. */
    public Optional<Secret> secret(String key) {
        Object value = raw(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String || value instanceof Number) {
            return Optional.of(Secret.of(String.valueOf(value)));
        }
        problems.add(pathOf(key) + " was '******' but it must be a text value");
        return Optional.empty();
    }

    /** A duration such as {@code 500ms}, {@code 5s} or {@code PT5S}; empty when absent or invalid. */
    public Optional<Duration> duration(String key) {
        Object value = raw(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String)) {
            problem(key, value, "it must be a duration with a unit, such as 500ms, 5s, 2m, 1h, 1d or PT5S");
            return Optional.empty();
        }
        try {
            return Optional.of(Durations.parse((String) value));
        } catch (IllegalArgumentException e) {
            problem(key, value, e.getMessage());
            return Optional.empty();
        }
    }

    /** A duration with a default. */
    public Duration duration(String key, Duration defaultValue) {
        return duration(key).orElse(defaultValue);
    }

    /** A positive duration with a default; zero or negative is recorded as a problem. */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Optional<Duration> value = duration(key);
        if (value.isPresent() && value.get().isZero()) {
            problem(key, values.get(key), "it must be longer than zero");
            return defaultValue;
        }
        return value.orElse(defaultValue);
    }

    /** A whole number; empty when absent or invalid. */
    public OptionalInt integer(String key) {
        Object value = raw(key);
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long number = ((Number) value).longValue();
            if (number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
                return OptionalInt.of((int) number);
            }
        } else if (value instanceof String) {
            try {
                return OptionalInt.of(Integer.parseInt(((String) value).trim()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problem(key, value, "it must be a whole number");
        return OptionalInt.empty();
    }

    /** A whole number within {@code [min, max]}, with a default. */
    public int integer(String key, int defaultValue, int min, int max) {
        OptionalInt value = integer(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        if (value.getAsInt() < min || value.getAsInt() > max) {
            problem(key, value.getAsInt(), "it must be between " + min + " and " + max);
            return defaultValue;
        }
        return value.getAsInt();
    }

    /** A boolean ({@code true}/{@code false}), with a default. */
    public boolean bool(String key, boolean defaultValue) {
        Object value = raw(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof String) {
            String text = ((String) value).trim().toLowerCase(Locale.ROOT);
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
        }
        problem(key, value, "it must be true or false");
        return defaultValue;
    }

    /** A list of strings; a single string counts as a list of one. Empty when absent. */
    public List<String> stringList(String key) {
        Object value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String) {
            return List.of((String) value);
        }
        if (value instanceof List) {
            List<String> result = new ArrayList<>();
            for (Object item : (List<?>) value) {
                if (item instanceof String || item instanceof Number) {
                    result.add(String.valueOf(item));
                } else {
                    problem(key, value, "it must be a list of text values");
                    return List.of();
                }
            }
            return List.copyOf(result);
        }
        problem(key, value, "it must be a list of text values");
        return List.of();
    }

    /**
     * One of an enum's constants, written in lower kebab case ({@code redlock}, {@code read-only}
     * for {@code READ_ONLY}); the default when absent or invalid.
     */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String wanted = value.get().trim().toUpperCase(Locale.ROOT).replace('-', '_');
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        problem(key, value.get(), "it must be one of " + String.join(", ", names));
        return defaultValue;
    }

    /**
     * A nested section; empty when absent or given an empty value (a problem is recorded when it is
     * anything else but a mapping).
     */
    public ConfigSection section(String key) {
        ConfigSection existing = children.get(key);
        if (existing != null) {
            return existing;
        }
        Object value = raw(key);
        Map<String, ?> map = Map.of();
        if (value instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, ?> cast = (Map<String, ?>) value;
            map = cast;
        } else if (value != null && !(value instanceof String && ((String) value).isBlank())) {
            // an empty value is an empty section: YAML reads "watchdog:" as null, Spring's
            // property sources and a properties file read it as ""
            problem(key, value, "it must be a section of keys");
        }
        ConfigSection child = new ConfigSection(this, pathOf(key), copy(map), problems);
        children.put(key, child);
        return child;
    }

    /**
     * Records a problem with a key's value. The value is shown as given, except what may be a
     * credential: the user-info of an endpoint ({@code redis://user:password@host} shows as {@code
     * redis://******@host}, see {@link Redaction#userInfo}) and, inside a list or a section given
     * where something else was expected, the values of keys that name a secret (password, secret,
     * token, key, credential).
     */
    public void problem(String key, Object value, String reason) {
        problems.add(pathOf(key) + " was '" + shown(value) + "' but " + reason);
    }

    /** A value as problems show it: structure kept, credentials masked. */
    private static String shown(Object value) {
        if (value instanceof Map) {
            StringBuilder text = new StringBuilder("{");
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (text.length() > 1) {
                    text.append(", ");
                }
                String name = String.valueOf(entry.getKey());
                text.append(name).append('=').append(namesASecret(name) ? Redaction.MASK : shown(entry.getValue()));
            }
            return text.append('}').toString();
        }
        if (value instanceof List) {
            StringBuilder text = new StringBuilder("[");
            for (Object item : (List<?>) value) {
                if (text.length() > 1) {
                    text.append(", ");
                }
                text.append(shown(item));
            }
            return text.append(']').toString();
        }
        return Redaction.userInfo(String.valueOf(value));
    }

    private static boolean namesASecret(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        return name.contains("password")
                || name.contains("secret")
                || name.contains("token")
                || name.contains("credential")
                || name.endsWith("key");
    }

    /** Records that a required key is absent. */
    public void missing(String key, String whatIsExpected) {
        problems.add(pathOf(key) + " was missing but it is required: " + whatIsExpected);
    }

    /** Whether any problem was recorded so far (in this section's whole configuration). */
    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    /**
     * Adds the unknown keys of the whole configuration this section belongs to (every section read
     * so far, from the root down), then throws a {@link LockConfigException} listing every problem
     * if there is any. Calling it again reports the same problems once.
     */
    public void validate() {
        ConfigSection root = this;
        while (root.parent != null) {
            root = root.parent;
        }
        root.collectUnknownKeys();
        if (!problems.isEmpty()) {
            throw new LockConfigException(new ArrayList<>(new LinkedHashSet<>(problems)));
        }
    }

    private void collectUnknownKeys() {
        for (String key : values.keySet()) {
            if (!known.contains(key) && !children.containsKey(key)) {
                String hint = KeySuggestions.closest(key, known)
                        .map(k -> ": did you mean '" + k + "'?")
                        .orElse(known.isEmpty() ? "" : ": known keys are " + String.join(", ", known));
                // the value is never shown: an unknown key may be a misspelled password
                problems.add(pathOf(key) + " was set but it is not a known key" + hint);
            }
        }
        for (ConfigSection child : children.values()) {
            child.collectUnknownKeys();
        }
    }

    private Object raw(String key) {
        Objects.requireNonNull(key, "key");
        known.add(key);
        return values.get(key);
    }

    @Override
    public String toString() {
        return "ConfigSection{" + (path.isEmpty() ? "<root>" : path) + ", keys=" + values.keySet() + "}";
    }
}
