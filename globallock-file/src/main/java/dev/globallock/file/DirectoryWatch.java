/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.file;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * File-system notifications for one lock directory: started when the first waiter needs them, on
 * one daemon thread for the JVM's life, they hand the names of the files that changed (or "all",
 * after an overflow) to the table's I/O thread. Where the file system offers none, waiters rely on
 * their back-off alone. {@link #start()} is confined to the I/O thread.
 */
final class DirectoryWatch {
    private static final System.Logger LOG = System.getLogger(DirectoryWatch.class.getName());

    /** What the I/O thread is told. */
    interface Changes {
        void changed(Set<String> fileNames, boolean all);
    }

    private final Path directory;
    private final Executor io;
    private final Changes changes;
    // ---- confined to the I/O thread
    private WatchService watcher;
    private boolean unavailable;

    DirectoryWatch(Path directory, Executor io, Changes changes) {
        this.directory = directory;
        this.io = io;
        this.changes = changes;
    }

    /** Starts watching unless it does already (or cannot). */
    void start() {
        if (watcher != null || unavailable) {
            return;
        }
        try {
            WatchService service = directory.getFileSystem().newWatchService();
            directory.register(
                    service,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            Thread thread = new Thread(() -> watch(service), "globallock-file-watch");
            thread.setDaemon(true);
            thread.start();
            watcher = service;
        } catch (IOException | RuntimeException e) {
            unavailable = true;
            LOG.log(Level.DEBUG, () -> "no file notifications for " + directory + "; waiters poll with back-off: " + e);
        }
    }

    /** Runs on the watch thread for the JVM's life (one per directory waited on): forwards events. */
    private void watch(WatchService service) {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Set<String> names = new HashSet<>();
            boolean all = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path)) {
                    all = true;
                } else {
                    names.add(event.context().toString());
                }
            }
            boolean valid = key.reset();
            boolean wakeAll = all;
            io.execute(() -> changes.changed(names, wakeAll));
            if (!valid) {
                io.execute(() -> {
                    watcher = null;
                    try {
                        service.close();
                    } catch (IOException e) {
                        // nothing to do
                    }
                });
                return;
            }
        }
    }
}
