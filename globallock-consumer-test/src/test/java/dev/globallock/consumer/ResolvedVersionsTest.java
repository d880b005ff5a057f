/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a user's build that imports only globallock-bom and depends on the three engines resolves:
 * one Netty, one gRPC, one Guava and SLF4J 2, at the versions the engines are built and tested with
 * (the parent pom's properties). The jars are read from this test's class path, which Maven built
 * from this module's pom alone.
 */
class ResolvedVersionsTest {
    /** {@code …/<artifactId>/<version>/<artifactId>-<version>[-classifier].jar} in a Maven repository. */
    private static final Pattern JAR = Pattern.compile(".*/([^/]+)/([^/]+)/\\1-\\2(-[^/]+)?\\.jar");

    @Test
    @DisplayName("Netty, gRPC, Guava and SLF4J are the versions the engines were tested with")
    void oneVersionOfEach() throws IOException {
        String parent = Files.readString(Path.of(System.getProperty("globallock.parent.pom")));
        Map<String, String> resolved = resolvedJars();
        assertFalse(resolved.isEmpty(), "no jars found on the class path");
        Map<String, String> wrong = new TreeMap<>();
        resolved.forEach((artifact, version) -> {
            String expected = expectedVersion(artifact, parent);
            if (expected != null && !expected.equals(version)) {
                wrong.put(artifact, version + " (expected " + expected + ")");
            }
        });
        Map<String, String> checked = new TreeMap<>(resolved);
        checked.keySet().removeIf(artifact -> expectedVersion(artifact, parent) == null);
        assertEquals(Map.of(), wrong, "artifacts at other versions; all those checked: " + checked);
        assertEquals(property(parent, "slf4j.version"), resolved.get("org.slf4j:slf4j-api"));
        assertEquals(property(parent, "netty.version"), resolved.get("io.netty:netty-common"));
    }

    /** The version an artifact must have, or null when this test does not pin it. */
    private static String expectedVersion(String artifact, String parent) {
        if (artifact.startsWith("io.netty:netty-tcnative")) {
            return null; // numbered on its own; netty-bom pins it with the rest
        }
        if (artifact.startsWith("io.netty:")) {
            return property(parent, "netty.version");
        }
        if (artifact.startsWith("io.grpc:")) {
            return property(parent, "grpc.version");
        }
        if (artifact.equals("com.google.guava:guava")) {
            return property(parent, "guava.version");
        }
        if (artifact.startsWith("org.slf4j:")) {
            return property(parent, "slf4j.version");
        }
        return null;
    }

    private static String property(String pom, String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        if (!matcher.find()) {
            throw new AssertionError("the parent pom has no property " + name);
        }
        return matcher.group(1).trim();
    }

    /** The groups whose versions are checked; other jars are listed under their directory. */
    private static final String[] GROUPS = {"io.netty", "io.grpc", "com.google.guava", "org.slf4j"};

    /** group:artifact (classifier dropped) to version, for every jar from a Maven repository. */
    private static Map<String, String> resolvedJars() {
        Map<String, String> jars = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace(File.separatorChar, '/');
            Matcher matcher = JAR.matcher(path);
            if (!matcher.matches()) {
                continue;
            }
            String artifact = matcher.group(1);
            String version = matcher.group(2);
            String directory = path.substring(0, path.lastIndexOf("/" + artifact + "/" + version + "/"));
            String key = groupOf(directory) + ":" + artifact;
            String previous = jars.put(key, version);
            if (previous != null && !previous.equals(version)) {
                jars.put(key, previous + " and " + version);
            }
        }
        return jars;
    }

    private static String groupOf(String directory) {
        for (String group : GROUPS) {
            if (directory.endsWith("/" + group.replace('.', '/'))) {
                return group;
            }
        }
        return directory.substring(directory.lastIndexOf('/') + 1);
    }
}
