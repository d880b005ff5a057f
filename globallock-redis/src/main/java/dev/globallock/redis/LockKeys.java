/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

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
    final String lock;
    final String fence;
    final String channel;
    /** The names as sent. */
    final byte[] lockBytes;

    final byte[] fenceBytes;
    final byte[] channelBytes;

    private LockKeys(String tag) {
        this.lock = tag;
        this.fence = tag + ":fence";
        this.channel = tag + ":released";
        this.lockBytes = Redis.bytes(lock);
        this.fenceBytes = Redis.bytes(fence);
        this.channelBytes = Redis.bytes(channel);
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
