/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.ConfigSection;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML configuration, and turns YAML or a map into a {@link ConfigSection}: safe YAML
 * loading only, {@code ${VAR}} and {@code ${VAR:-default}} replaced from the environment inside
 * every string value. Thread-safe, stateless.
 */
public final class ConfigLoader {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?}");
    /** SnakeYAML's limit on aliases to collections, its protection against alias bombs. */
    private static final int MAX_ALIASES = 20;

    private ConfigLoader() {}

    /**
     * Reads a YAML configuration file into the map {@link GlobalLockManager.Builder#config} takes
     * ({@code ${VAR}} references are left for the builder to replace), for a tool that changes the
     * configuration before it builds a manager; {@link GlobalLockManager#fromYaml(Path)} reads and
     * builds at once. Only plain YAML is read (no tags that create objects).
     *
     * @throws LockConfigException when the file does not exist, is a directory, cannot be read,
     *     is not YAML, has more aliases than SnakeYAML's limit, or is not a mapping of keys
     */
    public static Map<String, Object> readYaml(Path file) {
        if (Files.isDirectory(file)) {
            throw new LockConfigException(
                    "the configuration file " + file + " is a directory: give the path of a YAML file", null);
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return readYaml(reader, file.toString());
        } catch (NoSuchFileException e) {
            throw new LockConfigException("the configuration file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new LockConfigException(
                    "the configuration file " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> readYaml(Reader yaml, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        Object document;
        try {
            document = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (MarkedYAMLException e) {
            // only the problem and its position: the snippet SnakeYAML adds could show a secret
            Mark mark = e.getProblemMark();
            String where =
                    mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            throw new LockConfigException("malformed YAML in " + source + where + ": " + e.getProblem(), null);
        } catch (YAMLException e) {
            throw new LockConfigException("malformed YAML in " + source + ": " + unmarked(e), null);
        }
        if (document == null) {
            throw new LockConfigException(
                    "the YAML in " + source + " is empty: it needs at least 'engine: <name>'", null);
        }
        if (!(document instanceof Map)) {
            throw new LockConfigException(
                    "the YAML in " + source + " must be a mapping of keys such as 'engine: redis', not a "
                            + document.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                    null);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) document;
        return map;
    }

    /**
     * What an unmarked SnakeYAML failure means. Only messages SnakeYAML writes itself are shown:
     * others might quote the document, and so a secret.
     */
    private static String unmarked(YAMLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Number of aliases for non-scalar nodes exceeds")) {
            return "it has too many aliases: more than " + MAX_ALIASES + " aliases (*name) of lists or mappings,"
                    + " SnakeYAML's limit (maxAliasesForCollections), a protection against alias bombs"
                    + " ('billion laughs') that a configuration file never needs to reach";
        }
        if (e.getCause() instanceof IOException) {
            return "it could not be read: " + e.getCause().getMessage();
        }
        return e.getClass().getSimpleName();
    }

    /**
     * A root section over {@code config} with environment variables substituted; substitution
     * problems are already recorded in it.
     */
    static ConfigSection section(Map<String, ?> config, Function<String, String> environment) {
        List<String[]> problems = new ArrayList<>();
        Map<String, Object> substituted = substituteMap(config, "", environment, problems);
        ConfigSection root = ConfigSection.of("", substituted);
        for (String[] problem : problems) {
            root.problem(problem[0], problem[1], problem[2]);
        }
        return root;
    }

    private static Map<String, Object> substituteMap(
            Map<?, ?> map, String path, Function<String, String> environment, List<String[]> problems) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            result.put(
                    key, substitute(entry.getValue(), path.isEmpty() ? key : path + "." + key, environment, problems));
        }
        return result;
    }

    private static Object substitute(
            Object value, String path, Function<String, String> environment, List<String[]> problems) {
        if (value instanceof String) {
            return substituteString((String) value, path, environment, problems);
        }
        if (value instanceof Map) {
            return substituteMap((Map<?, ?>) value, path, environment, problems);
        }
        if (value instanceof List) {
            List<Object> list = new ArrayList<>();
            int index = 0;
            for (Object item : (List<?>) value) {
                list.add(substitute(item, path + "[" + index++ + "]", environment, problems));
            }
            return list;
        }
        return value;
    }

    private static String substituteString(
            String text, String path, Function<String, String> environment, List<String[]> problems) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = environment.apply(name);
            if (value == null || (value.isEmpty() && matcher.group(2) != null)) {
                value = matcher.group(2);
            }
            if (value == null) {
                problems.add(new String[] {
                    path,
                    text,
                    "environment variable " + name + " is not set (write ${" + name + ":-default} for a default)"
                });
                value = "";
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
