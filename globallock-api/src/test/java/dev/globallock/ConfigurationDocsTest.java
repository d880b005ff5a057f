/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The configuration documentation cannot drift from the reference configuration
 * ({@code dev/globallock/globallock-reference.yaml}, the one source of every key and default):
 * docs/configuration.md's tables list exactly its keys with its defaults, and every YAML example in
 * README.md and docs/ uses only keys it has.
 */
class ConfigurationDocsTest {
    private static final Path ROOT = Path.of(System.getProperty("globallock.root", ".."));
    private static final Path CONFIGURATION_MD = ROOT.resolve("docs/configuration.md");

    /** A key line, live or commented out: indentation, comment mark, key, the rest. */
    private static final Pattern KEY_LINE = Pattern.compile("^( *)(#( +))?([a-z][a-z0-9-]*):(\\s.*)?$");
    /** A table row whose first cell is a key in backquotes. */
    private static final Pattern KEY_ROW = Pattern.compile("^\\| *`([a-z][a-z0-9.-]*)` *\\|([^|]*)\\|.*$");

    private static final Pattern INLINE_CODE = Pattern.compile("`([^`]*)`");

    @Test
    void theTablesListEveryReferenceKeyAndNoOther() throws IOException {
        Reference reference = Reference.load();
        Map<String, String> documented = documentedKeys();

        assertThat(documented.keySet())
                .as("keys of %s's tables against the reference configuration", CONFIGURATION_MD)
                .containsExactlyInAnyOrderElementsOf(reference.keys());
    }

    @Test
    void theTablesGiveTheReferenceDefaults() throws IOException {
        Reference reference = Reference.load();
        List<String> problems = new ArrayList<>();
        documentedKeys().forEach((key, cell) -> {
            if (!reference.keys().contains(key)) {
                return; // the other test names it
            }
            Matcher code = INLINE_CODE.matcher(cell);
            boolean live = reference.values().containsKey(key);
            if (!code.find()) {
                if (live) {
                    problems.add(
                            key + ": the reference gives " + reference.values().get(key)
                                    + " but the table gives no value in backquotes (" + cell.strip() + ")");
                } else if (!cell.strip().equals("—")) {
                    problems.add(key + ": commented out in the reference (no default), so its cell must be '—'"
                            + " but it is '" + cell.strip() + "'");
                }
                return;
            }
            if (!live) {
                problems.add(key + ": commented out in the reference (no default) but the table gives `" + code.group(1)
                        + "`");
                return;
            }
            Object documentedValue = yaml().load(code.group(1).isEmpty() ? "''" : code.group(1));
            Object referenceValue = reference.values().get(key);
            if (!Objects.equals(normalise(documentedValue), normalise(referenceValue))) {
                problems.add(key + ": the reference gives " + referenceValue + " but the table gives `" + code.group(1)
                        + "`");
            }
        });
        assertThat(problems).as("defaults in %s", CONFIGURATION_MD).isEmpty();
    }

    @Test
    void everyYamlExampleInTheDocsUsesOnlyReferenceKeys() throws IOException {
        Reference reference = Reference.load();
        Set<String> sections = reference.sections();
        List<String> problems = new ArrayList<>();
        for (Path doc : markdownFiles()) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).strip().equals("```yaml")) {
                    continue;
                }
                int start = i + 1;
                StringBuilder block = new StringBuilder();
                int indent = lines.get(i).indexOf('`');
                for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                    String line = lines.get(i);
                    block.append(line.length() >= indent ? line.substring(indent) : line.strip())
                            .append('\n');
                }
                String where = ROOT.relativize(doc) + ":" + start;
                Object parsed;
                try {
                    parsed = yaml().load(block.toString());
                } catch (RuntimeException e) {
                    problems.add(where + ": not valid YAML: " + e.getMessage());
                    continue;
                }
                if (!(parsed instanceof Map)) {
                    problems.add(where + ": not a configuration (a mapping of keys)");
                    continue;
                }
                Map<?, ?> config = (Map<?, ?>) parsed;
                if (config.size() == 1 && config.containsKey("globallock")) {
                    config = (Map<?, ?>) config.get("globallock"); // Spring Boot's application.yml
                }
                Map<String, Object> flat = new LinkedHashMap<>();
                flatten("", config, flat, sections);
                for (String key : flat.keySet()) {
                    if (!reference.keys().contains(key) && !sections.contains(key)) {
                        problems.add(where + ": '" + key + "' is not a key of the reference configuration");
                    }
                }
            }
        }
        assertThat(problems).as("YAML examples in README.md and docs/").isEmpty();
    }

    private static Map<String, String> documentedKeys() throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String line : Files.readAllLines(CONFIGURATION_MD, StandardCharsets.UTF_8)) {
            Matcher row = KEY_ROW.matcher(line);
            if (row.matches() && keys.put(row.group(1), row.group(2)) != null) {
                duplicates.add(row.group(1));
            }
        }
        assertThat(duplicates).as("keys listed twice in %s", CONFIGURATION_MD).isEmpty();
        return keys;
    }

    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    /** Lists and maps compared as text would be; numbers and booleans as themselves. */
    private static Object normalise(Object value) {
        if (value instanceof List) {
            return ((List<?>) value)
                    .stream().map(ConfigurationDocsTest::normalise).collect(Collectors.toList());
        }
        return value;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> into, Set<String> sections) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = prefix + entry.getKey();
            if (entry.getValue() instanceof Map && sections.contains(key)) {
                flatten(key + ".", (Map<?, ?>) entry.getValue(), into, sections);
            } else {
                into.put(key, entry.getValue());
            }
        }
    }

    private static Yaml yaml() {
        return new Yaml(new LoaderOptions());
    }

    /**
     * The reference's leaf keys, live and commented out (a commented-out key is two columns right of
     * its level: {@code # key:}); sections are keys with keys under them.
     */
    private record Reference(Set<String> keys, Set<String> sections, Map<String, Object> values) {
        static Reference load() throws IOException {
            String text;
            try (InputStream in = GlobalLockManager.class.getResourceAsStream("globallock-reference.yaml")) {
                assertThat(in)
                        .as("the reference configuration on the class path")
                        .isNotNull();
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Set<String> all = new LinkedHashSet<>();
            Set<String> sections = new TreeSet<>();
            Deque<Map.Entry<Integer, String>> stack = new ArrayDeque<>();
            for (String line : text.split("\n", -1)) {
                Matcher m = KEY_LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                int column = m.group(2) == null
                        ? m.group(1).length()
                        : m.group(1).length() + 1 + m.group(3).length() - 2;
                while (!stack.isEmpty() && stack.peek().getKey() >= column) {
                    stack.pop();
                }
                StringBuilder path = new StringBuilder();
                stack.descendingIterator()
                        .forEachRemaining(e -> path.append(e.getValue()).append('.'));
                if (path.length() > 0) {
                    sections.add(path.substring(0, path.length() - 1));
                }
                path.append(m.group(4));
                all.add(path.toString());
                stack.push(Map.entry(column, m.group(4)));
            }
            Set<String> leaves = new LinkedHashSet<>(all);
            leaves.removeAll(sections);
            Map<String, Object> values = new LinkedHashMap<>();
            Map<?, ?> live = yaml().load(text);
            flatten("", live, values, sections);
            values.keySet().removeIf(sections::contains);
            assertThat(leaves).as("live keys found line by line").containsAll(values.keySet());
            return new Reference(leaves, sections, values);
        }
    }
}
