/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The file of one semaphore or read-write lock and the operating system's byte-range locks taken on
 * it: POSIX record locks, which every process on the host sees and which the OS drops when the
 * process dies. The locks sit far beyond the file's content (they need no data under them):
 *
 * <ul>
 *   <li>{@link #COUNTER}: held exclusively for the moment a grant reads and writes the record (the
 *       fencing counter and the semaphore's permits);
 *   <li>a semaphore's permit {@code i}: the byte {@code SLOTS + i}, held exclusively by the holder;
 *   <li>a read-write lock's {@link #GATE} and {@link #DATA}: a reader takes the gate shared for a
 *       moment and the data shared; a writer takes the gate exclusively (which keeps new readers
 *       out while it waits) and then the data exclusively.
 * </ul>
 *
 * <p>The record, at the start of the file: {@code globallock shared v1}, {@code token: N}, {@code
 * permits: P}. One channel per file in the JVM (closing any descriptor drops the process's locks);
 * confined to the shared table's I/O thread.
 */
final class SharedLockFile {
    private static final String MAGIC = "globallock shared v1";
    private static final long BASE = 1L << 40;
    static final long COUNTER = BASE;
    static final long GATE = BASE + 1;
    static final long DATA = BASE + 2;
    static final long SLOTS = BASE + 16;

    final Path file;
    private FileChannel channel;

    SharedLockFile(Path file) {
        this.file = file;
    }

    /** What the record says: the last token and the permits (0 when none recorded). */
    static final class Record {
        final OptionalLong token;
        final int permits;

        Record(OptionalLong token, int permits) {
            this.token = token;
            this.permits = permits;
        }
    }

    boolean isOpen() {
        return channel != null;
    }

    /** Opens the file (creating it) unless it is open already. */
    void open() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    /** Closes the channel, which drops every lock the JVM took through it. */
    void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the locks go with the descriptor anyway
            }
            channel = null;
        }
    }

    /** One byte's lock without waiting; null when another process holds it in a conflicting way. */
    FileLock tryLock(long position, boolean shared) throws IOException {
        open();
        return channel.tryLock(position, 1, shared);
    }

    /** Whether another process holds the byte (probed with a lock taken and dropped at once). */
    boolean busy(long position, boolean asShared) throws IOException {
        FileLock probe = tryLock(position, asShared);
        if (probe == null) {
            return true;
        }
        probe.release();
        return false;
    }

    static void release(FileLock lock) {
        if (lock != null && lock.isValid()) {
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel releases it as well
            }
        }
    }

    Record read() throws IOException {
        open();
        long size = Math.min(channel.size(), 4096);
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // read it all
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        OptionalLong token = OptionalLong.empty();
        int permits = 0;
        if (text.startsWith(MAGIC)) {
            for (String line : text.split("\n")) {
                try {
                    if (line.startsWith("token: ")) {
                        token = OptionalLong.of(Long.parseLong(line.substring(7).trim()));
                    } else if (line.startsWith("permits: ")) {
                        permits = Integer.parseInt(line.substring(9).trim());
                    }
                } catch (NumberFormatException e) {
                    // a torn record: the clock floor keeps tokens increasing
                }
            }
        }
        return new Record(token, permits);
    }

    /**
     * The next fencing token, written back with the permits: called with {@link #COUNTER} held.
     * Tokens are {@code max(stored + 1, now in microseconds)}, as the lock files' (see {@link
     * LockFiles#nextToken}).
     */
    long nextToken(Record record, int permits, boolean fsync) throws IOException {
        long token = LockFiles.nextToken(record.token, Instant.now());
        byte[] text = (MAGIC + "\ntoken: " + token + "\npermits: " + permits + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(text);
        long position = 0;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        if (channel.size() > position) {
            channel.truncate(position);
        }
        if (fsync) {
            channel.force(false);
        }
        return token;
    }
}
