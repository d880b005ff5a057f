/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import dev.globallock.spi.AcquireMode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The semaphore's and the read-write lock's keys: like the mutex's, one key per acquisition on its
 * lease, ordered by create revision, but under their own directory per family ({@code <escaped
 * key>%sem/}, {@code <escaped key>%rw/}: {@code escape} never writes a {@code %} that is not {@code
 * %25} or {@code %2F}, so no lock's directory is, or contains, one of these), with the holder's kind
 * in the value: {@code w} a writer, {@code r} a reader, {@code d<revision>} a reader that downgraded
 * the write key created at that revision (it stands where that write stood: later writers wait for
 * it), {@code p<N>} a permit of a semaphore of N permits.
 *
 * <ul>
 *   <li>a permit is held when fewer than N keys are older than its own;
 *   <li>a reader when no older key is a writer's;
 *   <li>a writer when no key is older than its own, and no downgraded reader stands before it.
 * </ul>
 */
final class EtcdSharedKeys {
    /** The whole directory, oldest first, with the values (a byte or a few each). */
    static final GetOption WHOLE_DIRECTORY = GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.ASCEND)
            .build();

    private EtcdSharedKeys() {}

    /** The directory of a key's semaphore or read-write lock. */
    static ByteSequence directory(String namespace, String key, AcquireMode mode) {
        return EtcdKeys.bytes(namespace + EtcdKeys.escape(key) + (mode == AcquireMode.PERMIT ? "%sem/" : "%rw/"));
    }

    /** What an acquisition's key holds: its kind (and permits, or the downgraded write's revision). */
    static ByteSequence value(AcquireMode mode, int permits, long downgradedRevision) {
        return EtcdKeys.bytes(
                switch (mode) {
                    case PERMIT -> "p" + permits;
                    case WRITE -> "w";
                    case READ -> downgradedRevision > 0 ? "d" + downgradedRevision : "r";
                    case EXCLUSIVE -> throw new IllegalArgumentException("the mutex has its own keys");
                });
    }

    /** How many of the keys in the way the acquisition tolerates: N - 1 for a permit, none otherwise. */
    static int grantBelow(AcquireMode mode, int permits) {
        return mode == AcquireMode.PERMIT ? permits : 1;
    }

    /** The keys in the way of the acquisition whose key was created at {@code ownRevision}. */
    static Set<ByteSequence> inTheWay(AcquireMode mode, long ownRevision, ByteSequence ownKey, List<KeyValue> all) {
        Set<ByteSequence> blocking = new HashSet<>();
        for (KeyValue kv : all) {
            if (kv.getKey().equals(ownKey)) {
                continue;
            }
            String kind = kv.getValue().toString(StandardCharsets.UTF_8);
            boolean older = kv.getCreateRevision() < ownRevision;
            boolean inTheWay =
                    switch (mode) {
                        case PERMIT -> older;
                        case READ -> older && kind.startsWith("w");
                        default -> older || kind.startsWith("d") && standsAt(kind) < ownRevision;
                    };
            if (inTheWay) {
                blocking.add(kv.getKey());
            }
        }
        return blocking;
    }

    /** Another user's permits when they differ from {@code permits}, else 0. */
    static int otherPermits(int permits, ByteSequence ownKey, List<KeyValue> all) {
        for (KeyValue kv : all) {
            String kind = kv.getValue().toString(StandardCharsets.UTF_8);
            if (!kv.getKey().equals(ownKey) && kind.startsWith("p")) {
                try {
                    int theirs = Integer.parseInt(kind.substring(1));
                    if (theirs != permits) {
                        return theirs;
                    }
                } catch (NumberFormatException e) {
                    // not written by this engine: nothing to compare
                }
            }
        }
        return 0;
    }

    /**
     * The caller's mistake: a semaphore acquired with {@code permits} that another user holds with
     * {@code theirs} ({@code otherKeys} other keys under its prefix).
     */
    static IllegalArgumentException permitsDiffer(
            String name, int permits, String endpoint, int theirs, int otherKeys) {
        return new IllegalArgumentException("permits of semaphore '" + name + "' was '" + permits
                + "' but engine 'etcd' at " + endpoint + " holds it with " + theirs + " permits (" + otherKeys
                + " other keys under its prefix): every user of a semaphore must give the same permits");
    }

    /** Where a downgraded reader stands: the create revision of the write it came from. */
    static long standsAt(String kind) {
        try {
            return Long.parseLong(kind.substring(1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String kind(KeyValue kv) {
        return kv.getValue().toString(StandardCharsets.UTF_8);
    }
}
