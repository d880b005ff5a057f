/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in README.md and docs/ is a region of a source file that the build compiles, so
 * the docs cannot show code that does not compile. In the markdown, a {@code ```java} block follows
 * a marker line {@code <!-- snippet: ID -->}; in the sources the region lies between
 * {@code // tag::ID[]} and {@code // end::ID[]} (under examples/). The block must equal the region,
 * less the region's common indentation (other regions' tag lines and spotless toggles inside it are
 * left out). A block without a marker, a marker without its region, and a block that differs from
 * its region all fail, each naming the file and line.
 */
class DocsSnippetsTest {
    private static final Path ROOT = Path.of(System.getProperty("globallock.root", "../.."));
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: ([a-z0-9-]+) -->");
    private static final Pattern TAG = Pattern.compile("\\s*// (tag|end)::([a-z0-9-]+)\\[\\]\\s*");
    private static final Pattern TOGGLE = Pattern.compile("\\s*// spotless:(off|on)\\s*");

    @Test
    void everyJavaSnippetInTheDocsIsCompiledCode() throws IOException {
        Map<String, Region> regions = regions();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path doc : markdownFiles()) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).strip().equals("```java")) {
                    continue;
                }
                String where = ROOT.relativize(doc) + ":" + (i + 1);
                int indent = lines.get(i).indexOf('`');
                List<String> block = new ArrayList<>();
                int j = i + 1;
                for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                    String line = lines.get(j);
                    block.add((line.length() >= indent ? line.substring(indent) : line.strip()).stripTrailing());
                }
                Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1).strip()) : null;
                if (marker == null || !marker.matches()) {
                    problems.add(where + ": a ```java block without a '<!-- snippet: ID -->' line before it;"
                            + " put the code in a source file under examples/ between // tag::ID[] and"
                            + " // end::ID[] and name it");
                } else {
                    Region region = regions.get(marker.group(1));
                    if (region == null) {
                        problems.add(where + ": snippet '" + marker.group(1) + "' has no region // tag::"
                                + marker.group(1) + "[] under examples/");
                    } else if (!region.lines.equals(block)) {
                        problems.add(where + ": snippet '" + marker.group(1) + "' differs from "
                                + ROOT.relativize(region.file) + ":" + region.line + ", which says:\n"
                                + String.join("\n", region.lines) + "\nwhere the docs say:\n"
                                + String.join("\n", block));
                    }
                    checked++;
                }
                i = j;
            }
        }
        assertThat(problems).as("Java snippets of README.md and docs/").isEmpty();
        assertThat(checked).as("snippets checked").isPositive();
    }

    private record Region(Path file, int line, List<String> lines) {}

    /** Every tagged region of the examples' sources, by ID; an ID used twice or left open fails. */
    private static Map<String, Region> regions() throws IOException {
        Map<String, Region> regions = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(ROOT.resolve("examples"))) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .sorted()
                    .collect(Collectors.toList());
        }
        for (Path source : sources) {
            List<String> lines = readLines(source);
            for (int i = 0; i < lines.size(); i++) {
                Matcher tag = TAG.matcher(lines.get(i));
                if (!tag.matches() || !tag.group(1).equals("tag")) {
                    continue;
                }
                String id = tag.group(2);
                List<String> body = new ArrayList<>();
                int j = i + 1;
                for (; j < lines.size(); j++) {
                    Matcher end = TAG.matcher(lines.get(j));
                    if (end.matches()
                            && end.group(1).equals("end")
                            && end.group(2).equals(id)) {
                        break;
                    }
                    if (!end.matches() && !TOGGLE.matcher(lines.get(j)).matches()) {
                        body.add(lines.get(j));
                    }
                }
                if (j == lines.size()) {
                    problems.add(source + ":" + (i + 1) + ": // tag::" + id + "[] has no // end::" + id + "[]");
                }
                Region previous = regions.put(id, new Region(source, i + 1, dedent(body)));
                if (previous != null) {
                    problems.add("region '" + id + "' is in " + previous.file + ":" + previous.line + " and " + source
                            + ":" + (i + 1));
                }
            }
        }
        assertThat(problems).as("tagged regions under examples/").isEmpty();
        return regions;
    }

    private static List<String> dedent(List<String> lines) {
        int indent = lines.stream()
                .filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length())
                .min()
                .orElse(0);
        return lines.stream()
                .map(line -> line.isBlank() ? "" : line.substring(indent).stripTrailing())
                .collect(Collectors.toList());
    }

    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        try (Stream<Path> examples = Files.walk(ROOT.resolve("examples"))) {
            examples.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .sorted()
                    .forEach(files::add);
        }
        return files;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
