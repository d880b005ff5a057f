/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.AcquireMode;

/**
 * The Redis keys of one lock. Every key and the notification channel share one hash tag, the
 * escaped lock key in braces, so they sit in one cluster slot:
 *
 * <ul>
 *   <li>{@code {K}}: the lock itself, a string holding the owner id, with a PX lease;
 *   <li>{@code {K}:fence}: the fencing counter, without expiry: the holder's token while held
 *       (deleted only by the inspector's {@code discard}, while the lock is free);
 *   <li>{@code {K}:released}: the channel a release publishes on.
 * </ul>
 *
 * <p>{@code K} is the prefixed lock key with {@code %}, <code>{</code> and <code>}</code> escaped as
 * {@code %25}, {@code %7B} and {@code %7D}, so no lock name can end the hash tag early or collide
 * with another name. Immutable.
 */
final class LockKeys {
    /**
     * Null for the lock; else the semaphore's or read-write lock's keys for that mode (see {@link
     * #shared}): {@link #lock} is then the sorted set of the mode's holders (owner id by lease end).
     */
    final AcquireMode mode;

    final String lock;
    final String fence;
    final String channel;
    /** The names as sent. */
    final byte[] lockBytes;

    final byte[] fenceBytes;
    final byte[] channelBytes;
    /** The other keys a mode's scripts read (see {@link #shared}); null for the lock. */
    final byte[] otherBytes;

    final byte[] queueBytes;
    /** A writer's entry among the waiting writers, as keys of their own (released like a grant); else null. */
    final LockKeys queue;

    private LockKeys(String tag) {
        this.mode = null;
        this.otherBytes = null;
        this.queueBytes = null;
        this.queue = null;
        this.lock = tag;
        this.fence = tag + ":fence";
        this.channel = tag + ":released";
        this.lockBytes = Redis.bytes(lock);
        this.fenceBytes = Redis.bytes(fence);
        this.channelBytes = Redis.bytes(channel);
    }

    private LockKeys(
            AcquireMode mode, String lock, String fence, String channel, String other, String queue, boolean writer) {
        this.mode = mode;
        this.lock = lock;
        this.fence = fence;
        this.channel = channel;
        this.lockBytes = Redis.bytes(lock);
        this.fenceBytes = Redis.bytes(fence);
        this.channelBytes = Redis.bytes(channel);
        this.otherBytes = other == null ? null : Redis.bytes(other);
        this.queueBytes = queue == null ? null : Redis.bytes(queue);
        this.queue = writer ? new LockKeys(mode, queue, fence, channel, null, null, false) : null;
    }

    /**
     * The keys of the key's semaphore ({@link AcquireMode#PERMIT}) or read-write lock ({@link
     * AcquireMode#READ}, {@link AcquireMode#WRITE}), beside the lock's under the same hash tag:
     *
     * <ul>
     *   <li>a semaphore: {@code {K}:semaphore}, a sorted set of the holders' owner ids scored by the
     *       end of their lease (server ms); {@code {K}:semaphore:permits}, the permits its holders
     *       gave; {@code {K}:semaphore:fence}, its counter; channel {@code {K}:semaphore:released};
     *   <li>a read-write lock: {@code {K}:rw:readers} and {@code {K}:rw:writer}, sorted sets as
     *       above; {@code {K}:rw:waiting}, the writers waiting (scored by the end of their entry's
     *       lease, refreshed by their attempts), which keep new readers out; {@code {K}:rw:fence};
     *       channel {@code {K}:rw:released}.
     * </ul>
     */
    static LockKeys shared(String key, AcquireMode mode) {
        String tag = "{" + escape(key) + "}";
        switch (mode) {
            case PERMIT:
                return new LockKeys(
                        mode,
                        tag + ":semaphore",
                        tag + ":semaphore:fence",
                        tag + ":semaphore:released",
                        tag + ":semaphore:permits",
                        null,
                        false);
            case READ:
                return new LockKeys(
                        mode,
                        tag + ":rw:readers",
                        tag + ":rw:fence",
                        tag + ":rw:released",
                        tag + ":rw:writer",
                        tag + ":rw:waiting",
                        false);
            case WRITE:
                return new LockKeys(
                        mode,
                        tag + ":rw:writer",
                        tag + ":rw:fence",
                        tag + ":rw:released",
                        tag + ":rw:readers",
                        tag + ":rw:waiting",
                        true);
            default:
                throw new IllegalArgumentException("not a shared mode: " + mode);
        }
    }

    static LockKeys of(String key) {
        return new LockKeys("{" + escape(key) + "}");
    }

    static String escape(String key) {
        StringBuilder escaped = null;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            String replacement = c == '%' ? "%25" : c == '{' ? "%7B" : c == '}' ? "%7D" : null;
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(key.length() + 8).append(key, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? key : escaped.toString();
    }

    @Override
    public String toString() {
        return lock;
    }
}
