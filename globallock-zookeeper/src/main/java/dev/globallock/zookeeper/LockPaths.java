/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How lock keys map to ZooKeeper paths, and how lock node names sort.
 *
 * <p>A lock key becomes one path segment under the engine's namespace, so that {@code a/b} and
 * {@code a%2Fb} are different locks and no key can reach outside the namespace: characters
 * ZooKeeper forbids or that carry meaning here ({@code /}, {@code %}, {@code ~}, control and
 * surrogate characters, the private-use and specials blocks) are written as {@code %XX} of their
 * UTF-8 bytes, and the segments {@code .} and {@code ..} as {@code %2E}. Every other character,
 * including non-ASCII letters, stays readable. A segment longer than {@value #MAX_SEGMENT} characters
 * keeps a readable prefix and ends in {@code ~} plus 40 hex digits of the key's SHA-256; because
 * {@code ~} is always escaped in plain segments, the two forms never collide. The mapping is
 * injective: different keys give different paths.
 *
 * <p>Lock nodes are {@code _c_<uuid>-lock-<10-digit sequence>}: Curator's protected-create prefix
 * followed by the name Curator's {@code InterProcessMutex} uses, so both sort the same way.
 */
final class LockPaths {
    /** The longest parent segment written in full; longer ones are hashed. */
    static final int MAX_SEGMENT = 200;

    /** The readable part kept in front of the hash of a long key. */
    static final int HASHED_PREFIX = 120;

    /** The lock node name before the sequence number ZooKeeper appends. */
    static final String LOCK_NAME = "lock-";

    /** What lock nodes (and their parents) hold: nothing. */
    static final byte[] NO_DATA = new byte[0];

    private static final int SEQUENCE_DIGITS = 10;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private LockPaths() {}

    /** The node name of a read-write lock's readers: Curator's {@code InterProcessReadWriteLock}'s. */
    static final String READ_NAME = "__READ__";

    /** The node name of a read-write lock's writers: Curator's {@code InterProcessReadWriteLock}'s. */
    static final String WRITE_NAME = "__WRIT__";

    /** The node name of a semaphore's permits, before the permits and a dash. */
    static final String PERMITS_NAME = "permits-";

    /** The suffix of a read-write lock's parent segment ({@code ~} never ends a key's segment). */
    static final String READ_WRITE_SUFFIX = "~rw";

    /** The suffix of a semaphore's parent segment. */
    static final String SEMAPHORE_SUFFIX = "~sem";

    /**
     * A lock's parent node, the name its nodes get (before the sequence number) and the prefix they
     * are created at, relative to the namespace.
     */
    record Lock(String parent, String name, String nodePrefix) {
        Lock(String parent, String name) {
            this(parent, name, parent + "/" + name);
        }
    }

    /** The paths of lock keys, escaped once per key while it has room; thread-safe. */
    static final class Cache {
        /** Lock keys whose paths are kept, so that a re-acquire does not escape its key again. */
        private static final int MAX_CACHED_PATHS = 1024;

        private final ConcurrentHashMap<String, Lock> paths = new ConcurrentHashMap<>();

        /** The paths of the lock key: kept ones, or made now (and kept while there is room). */
        Lock of(String key) {
            Lock known = paths.get(key);
            if (known != null) {
                return known;
            }
            Lock made = LockPaths.of(key);
            if (paths.size() < MAX_CACHED_PATHS) {
                paths.putIfAbsent(key, made);
            }
            return made;
        }
    }

    /** The paths of the lock with this key. */
    static Lock of(String key) {
        String parent = parentOf(key);
        return new Lock(parent, LOCK_NAME, nodePrefix(parent));
    }

    /**
     * The paths of a shared primitive of this key: a read-write lock's reads ({@code read}) or
     * writes, under {@code /<segment>~rw} with Curator's node names, so that Curator's {@code
     * InterProcessReadWriteLock} at that path shares the lock.
     */
    static Lock readWrite(String key, boolean read) {
        return new Lock(parentOf(key) + READ_WRITE_SUFFIX, read ? READ_NAME : WRITE_NAME);
    }

    /** The paths of the permits of a semaphore of this key: {@code /<segment>~sem/_c_<id>-permits-<n>-<seq>}. */
    static Lock semaphore(String key, int permits) {
        return new Lock(parentOf(key) + SEMAPHORE_SUFFIX, PERMITS_NAME + permits + "-");
    }

    /** The sequence number of a shared node ({@code ...<name><10 digits>}), or -1 when it has none. */
    static long sharedSequenceOf(String child) {
        int length = child.length();
        if (length < SEQUENCE_DIGITS + 1) {
            return -1;
        }
        long value = 0;
        for (int i = length - SEQUENCE_DIGITS; i < length; i++) {
            char c = child.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Whether a read-write lock's child is a writer's node (as Curator tells them: by the name). */
    static boolean isWriter(String child) {
        return child.contains(WRITE_NAME);
    }

    /** The permits a semaphore node was created with, or -1 when it is not a permit node. */
    static int permitsOf(String child) {
        int at = child.lastIndexOf(PERMITS_NAME);
        int end = child.length() - SEQUENCE_DIGITS - 1;
        if (at < 0 || end <= at + PERMITS_NAME.length() || child.charAt(end) != '-') {
            return -1;
        }
        try {
            return Integer.parseInt(child.substring(at + PERMITS_NAME.length(), end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The nodes of a shared primitive among a parent's children, lowest sequence number first:
     * those whose name is {@code name} (the read-write lock's two names when {@code readWrite}, else
     * a semaphore's permits) followed by a sequence number.
     */
    static List<String> sharedInSequence(List<String> children, boolean readWrite) {
        List<String> ordered = new ArrayList<>(children.size());
        for (String child : children) {
            if (sharedSequenceOf(child) < 0) {
                continue;
            }
            boolean ours = readWrite ? child.contains(READ_NAME) || child.contains(WRITE_NAME) : permitsOf(child) > 0;
            if (ours) {
                ordered.add(child);
            }
        }
        ordered.sort(Comparator.comparingLong(LockPaths::sharedSequenceOf));
        return ordered;
    }

    /** The lock's parent node, relative to the namespace: {@code /<escaped key>}. */
    static String parentOf(String key) {
        return "/" + segment(key);
    }

    /** The path a new lock node is created at; ZooKeeper appends the sequence number. */
    static String nodePrefix(String parent) {
        return parent + "/" + LOCK_NAME;
    }

    /** The escaped (and, when long, hashed) single path segment for a key. */
    static String segment(String key) {
        if (key.equals(".") || key.equals("..")) {
            return key.replace(".", "%2E");
        }
        StringBuilder escaped = new StringBuilder(key.length() + 16);
        for (int i = 0; i < key.length(); ) {
            int codePoint = key.codePointAt(i);
            int width = Character.charCount(codePoint);
            if (keeps(codePoint)) {
                escaped.appendCodePoint(codePoint);
            } else {
                for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
                    escaped.append('%').append(HEX.toHexDigits(b));
                }
            }
            i += width;
        }
        if (escaped.length() <= MAX_SEGMENT) {
            return escaped.toString();
        }
        int cut = HASHED_PREFIX;
        // never cut inside a %XX escape
        int percent = escaped.lastIndexOf("%", cut - 1);
        if (percent >= 0 && percent > cut - 3) {
            cut = percent;
        }
        // never cut between the two halves of a surrogate pair
        if (Character.isHighSurrogate(escaped.charAt(cut - 1))) {
            cut--;
        }
        return escaped.substring(0, cut) + "~" + HEX.formatHex(sha256(key), 0, 20);
    }

    /** Whether a code point may stand for itself in a segment. */
    private static boolean keeps(int c) {
        if (c == '/' || c == '%' || c == '~') {
            return false;
        }
        if (c < 0x20 || (c >= 0x7F && c <= 0xA0)) {
            return false; // control characters, DEL, C1 controls and NBSP (invisible in listings)
        }
        if (c >= 0xD800 && c <= 0xF8FF) {
            return false; // surrogates and private use: ZooKeeper rejects them
        }
        if (c >= 0xFFF0 && c <= 0xFFFF) {
            return false; // specials: ZooKeeper rejects them
        }
        return c < 0x10000; // supplementary characters arrive as surrogate pairs: escape them
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * The sequence number of a lock node name ({@code ...lock-0000000042}), or empty for a child
     * that is not a lock node of this protocol (such children are ignored, never treated as holders).
     */
    static OptionalLong sequenceOf(String child) {
        int at = child.lastIndexOf(LOCK_NAME);
        if (at < 0 || child.length() - at - LOCK_NAME.length() != SEQUENCE_DIGITS) {
            return OptionalLong.empty();
        }
        long value = 0;
        for (int i = child.length() - SEQUENCE_DIGITS; i < child.length(); i++) {
            char c = child.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
            value = value * 10 + (c - '0');
        }
        return OptionalLong.of(value);
    }

    private static final Comparator<String> BY_SEQUENCE =
            Comparator.comparingLong(child -> sequenceOf(child).orElse(Long.MAX_VALUE));

    /** The lock nodes among a parent's children, lowest sequence number (the holder) first. */
    static List<String> inSequence(List<String> children) {
        List<String> ordered = new ArrayList<>(children.size());
        for (String child : children) {
            if (sequenceOf(child).isPresent()) {
                ordered.add(child);
            }
        }
        ordered.sort(BY_SEQUENCE);
        return ordered;
    }

    /** The last segment of a path. */
    static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
