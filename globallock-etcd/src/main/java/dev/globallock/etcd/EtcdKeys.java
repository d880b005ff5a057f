/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/**
 * The key layout: a lock is the set of keys under {@code <namespace><escaped lock key>/}, one per
 * queued or holding acquisition, named {@code <engine id hex>-<slot>}; the owner is the key with the
 * lowest create revision. The lock key is escaped ({@code %} as {@code %25}, {@code /} as {@code
 * %2F}) so that no lock's directory contains another's: {@code a} and {@code a/b} stay apart.
 *
 * <p>Names are reused: an engine's acquisitions of one lock take the lowest slot not in use, so a
 * directory holds a handful of distinct key names over its life instead of one per acquisition.
 * That matters because etcd keeps a deleted key's index entry until compaction and every read of
 * the directory walks those entries; with a fresh name per acquisition the acquire transaction of a
 * busy lock slowed down with every cycle.
 */
final class EtcdKeys {
    private EtcdKeys() {}

    /** Escapes {@code %} and {@code /}; injective, and the result contains no {@code /}. */
    static String escape(String key) {
        StringBuilder escaped = new StringBuilder(key.length() + 8);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '%') {
                escaped.append("%25");
            } else if (c == '/') {
                escaped.append("%2F");
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** The directory of one lock: {@code <namespace><escaped key>/}. */
    static ByteSequence lockPrefix(String namespace, String key) {
        return bytes(namespace + escape(key) + "/");
    }

    /** The key of one acquisition under the lock's directory: the engine's id and a slot. */
    static ByteSequence ownKey(ByteSequence lockPrefix, long engineId, int slot) {
        return lockPrefix.concat(bytes(Long.toHexString(engineId) + "-" + slot));
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
