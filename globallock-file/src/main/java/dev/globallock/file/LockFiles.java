/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.OptionalLong;

/**
 * The lock file layout: one file per lock key, named by a readable prefix of the key and a hash of
 * all of it, holding a small text record with the fencing counter. Stateless and thread-safe.
 *
 * <p>A record looks like this (written in place, then truncated to its length):
 *
 * <pre>
 * globallock file lock v1
 * token: 1714141414141414
 * state: held
 * pid: 4242
 * host: build-7
 * at: 2024-04-26T14:23:34.141414Z
 * key: billing:nightly-report
 * </pre>
 *
 * <p>Tokens are {@code max(stored + 1, now in microseconds since the epoch)}: strictly increasing
 * while the file lives whatever the clock does, and still increasing after the file was deleted
 * unless the wall clock went back by more than the time since the last grant.
 */
final class LockFiles {
    static final String SUFFIX = ".lock";
    private static final String MAGIC = "globallock file lock v1";
    private static final int READABLE_PREFIX = 64;
    private static final int MAX_RECORD = 64 * 1024;
    private static final String HOST = hostName();
    private static final long PID = ProcessHandle.current().pid();
    /** Fixed width, so that records of one process keep one length and fdatasync has no size to flush. */
    private static final DateTimeFormatter AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private LockFiles() {}

    /**
     * The file name of a key: its safe characters (others become {@code _}, at most 64) and the
     * first 128 bits of the SHA-256 of the whole key in hex, so alike keys ({@code a/b}, {@code
     * a_b}) never share a file, even on a case-insensitive file system.
     */
    static String fileName(String key) {
        return fileName(key, SUFFIX);
    }

    /** {@link #fileName(String)} with another suffix, for the other files kept per key (rate limiters). */
    static String fileName(String key, String suffix) {
        StringBuilder readable = new StringBuilder();
        for (int i = 0; i < key.length() && readable.length() < READABLE_PREFIX; i++) {
            char c = key.charAt(i);
            boolean safe = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
            readable.append(safe || (c == '.' && readable.length() > 0) ? c : '_');
        }
        return readable + "-" + HexFormat.of().formatHex(sha256(key), 0, 16) + suffix;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** What a lock file says. */
    static final class Record {
        final OptionalLong token;
        final boolean held;
        final String holder;

        Record(OptionalLong token, boolean held, String holder) {
            this.token = token;
            this.held = held;
            this.holder = holder;
        }

        static final Record EMPTY = new Record(OptionalLong.empty(), false, "");
    }

    /** Reads the record through the channel (never through a new file descriptor; see the engine). */
    static Record read(FileChannel channel) throws IOException {
        long size = Math.min(channel.size(), MAX_RECORD);
        if (size <= 0) {
            return Record.EMPTY;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                break;
            }
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        if (!text.startsWith(MAGIC)) {
            return Record.EMPTY;
        }
        OptionalLong token = OptionalLong.empty();
        boolean held = false;
        String pid = "?";
        String host = "?";
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 2);
            switch (name) {
                case "token":
                    try {
                        token = OptionalLong.of(Long.parseLong(value.trim()));
                    } catch (NumberFormatException e) {
                        // a torn record: the clock floor keeps tokens increasing
                    }
                    break;
                case "state":
                    held = value.trim().equals("held");
                    break;
                case "pid":
                    pid = value.trim();
                    break;
                case "host":
                    host = value.trim();
                    break;
                default:
                    break;
            }
        }
        return new Record(token, held, "pid " + pid + " on " + host);
    }

    /** The token after {@code stored}: greater than it and not below the clock, in microseconds. */
    static long nextToken(OptionalLong stored, Instant now) {
        long clock = Math.multiplyExact(now.getEpochSecond(), 1_000_000L) + now.getNano() / 1_000;
        return stored.isPresent() ? Math.max(stored.getAsLong() + 1, clock) : clock;
    }

    /** Writes a record in place and truncates what an older, longer one left behind. */
    static void write(FileChannel channel, long token, boolean held, String key, Instant now, boolean fsync)
            throws IOException {
        String text = MAGIC + "\n"
                + "token: " + token + "\n"
                + "state: " + (held ? "held" : "free") + "\n"
                + "pid: " + PID + "\n"
                + "host: " + HOST + "\n"
                + "at: " + AT.format(now) + "\n"
                + "key: " + key + "\n";
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long position = 0;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        if (channel.size() > position) {
            channel.truncate(position); // only when an older record was longer: no metadata change otherwise
        }
        if (fsync) {
            channel.force(false);
        }
    }

    /** The host name without a DNS lookup (which can stall for seconds on a badly set-up host). */
    private static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name.trim();
        }
        try {
            return Files.readString(Path.of("/etc/hostname"), StandardCharsets.UTF_8)
                    .trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
