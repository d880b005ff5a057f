/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

/**
 * The one channel this JVM keeps on one lock file while it holds or waits for that lock, and the
 * OS lock taken through it. POSIX record locks belong to the process and closing any descriptor of
 * the file drops them all, so nothing else in the JVM opens the file while this channel is open.
 * A lock file deleted or replaced under the channel is noticed by its identity (device and inode).
 * Not thread-safe: confined to the table's I/O thread.
 */
final class LockFileChannel {
    private static final System.Logger LOG = System.getLogger(LockFileChannel.class.getName());
    private static final Object NO_KEY = new Object();

    private final Path directory;
    final Path file;
    /** Open while the lock is held or waited for. */
    private FileChannel channel;
    /** The identity (device and inode) of the file the channel is open on; null if unknown. */
    private Object fileKey;

    private FileLock osLock;

    LockFileChannel(Path directory, Path file) {
        this.directory = directory;
        this.file = file;
    }

    boolean isOpen() {
        return channel != null;
    }

    /** Whether this JVM holds the OS lock on the file. */
    boolean isLocked() {
        return osLock != null;
    }

    /** The open channel, for reading and writing the lock record. */
    FileChannel channel() {
        return channel;
    }

    /** Takes the OS lock without blocking (opening the file if need be); false when another process has it. */
    boolean tryLock() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (channel == null) {
                open();
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // held in this JVM through a channel that is not ours
            }
            if (lock == null) {
                return false;
            }
            if (isSameFile()) {
                osLock = lock;
                return true;
            }
            // the file was deleted or replaced after we opened it: this lock guards a dead inode
            lock.release();
            close();
        }
        throw new IOException("the lock file " + file + " keeps being deleted or replaced while it is locked");
    }

    /** Whether the path still names the file the channel has open (stat only: no new descriptor). */
    boolean isSameFile() throws IOException {
        Optional<Object> key = fileKey(file);
        return key.isPresent() && (fileKey == null || fileKey.equals(key.get()));
    }

    /** Releases the OS lock, if held, and closes the channel. */
    void close() {
        if (osLock != null) {
            try {
                osLock.release();
            } catch (IOException e) {
                // closing the channel below releases it as well
            }
            osLock = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "closing lock file " + file + " failed: " + e);
            }
            channel = null;
            fileKey = null;
        }
    }

    /** Changes the file's time after unlocking, so that waiting processes get a notification. */
    static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException | RuntimeException e) {
            // waiters fall back to their back-off
        }
    }

    private void open() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            FileChannel opened;
            try {
                opened = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                Files.createDirectories(directory); // the directory itself was removed
                continue;
            }
            Optional<Object> key = fileKey(file);
            if (key.isPresent()) {
                channel = opened;
                fileKey = key.get() == NO_KEY ? null : key.get();
                return;
            }
            opened.close(); // deleted between open and stat: open the new one
        }
        throw new IOException("the lock file " + file + " keeps being deleted while it is opened");
    }

    /** The file's identity; {@link #NO_KEY} when the platform has none; empty when it does not exist. */
    private static Optional<Object> fileKey(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return Optional.of(key == null ? NO_KEY : key);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
