package dev.globallock.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/**
 * The key layout: a lock is the set of keys under {@code <namespace><escaped lock key>/}, one per
 * acquisition, named {@code <lease id hex>-<sequence hex>}; the owner is the key with the lowest
 * create revision. The lock key is escaped ({@code %} as {@code %25}, {@code /} as {@code %2F}) so
 * that no lock's directory contains another's: {@code a} and {@code a/b} stay apart.
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

    /** The key of one acquisition under the lock's directory. */
    static ByteSequence ownKey(ByteSequence lockPrefix, long leaseId, long sequence) {
        return lockPrefix.concat(bytes(Long.toHexString(leaseId) + "-" + Long.toHexString(sequence)));
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
