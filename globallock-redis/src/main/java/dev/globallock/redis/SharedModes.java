/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockInfo;
import dev.globallock.spi.AcquireMode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The calls of semaphores and read-write locks: one script call each on the node of the name's
 * slot ({@link SharedScripts}). The lock's own calls stay in the backends; {@link #release} sends
 * the lock's there. Stateless.
 */
final class SharedModes {
    private static final byte[] QUEUE = Redis.bytes("1");
    private static final byte[] ONCE = Redis.bytes("0");
    private static final byte[] NONE = new byte[0];

    private SharedModes() {}

    /**
     * The mode's argument, sent with every attempt: a semaphore's permits, the owner of the write
     * grant a read downgrades (or nothing), or whether a writer queues when it is not granted.
     */
    static byte[] argument(AcquireMode mode, int permits, byte[] downgrading, boolean singleAttempt) {
        switch (mode) {
            case PERMIT:
                return Redis.number(permits);
            case READ:
                return downgrading == null ? NONE : downgrading;
            default:
                return singleAttempt ? ONCE : QUEUE;
        }
    }

    /** One attempt in the keys' mode. */
    static AcquireReply acquire(Backend backend, LockKeys keys, byte[] owner, long leaseMillis, byte[] argument) {
        byte[] lease = Redis.number(leaseMillis);
        Object reply;
        if (keys.mode == AcquireMode.PERMIT) {
            reply = backend.evalShared(
                    keys,
                    SharedScripts.ACQUIRE_PERMIT,
                    3,
                    keys.lockBytes,
                    keys.otherBytes,
                    keys.fenceBytes,
                    owner,
                    lease,
                    argument);
        } else {
            reply = backend.evalShared(
                    keys,
                    keys.mode == AcquireMode.READ ? SharedScripts.ACQUIRE_READ : SharedScripts.ACQUIRE_WRITE,
                    4,
                    keys.lockBytes,
                    keys.otherBytes,
                    keys.queueBytes,
                    keys.fenceBytes,
                    owner,
                    lease,
                    argument);
        }
        return AcquireReply.decodeShared(reply);
    }

    /** Owner-checked release (of a grant, or of a writer's place among the waiting writers) and notification. */
    static boolean release(Backend backend, LockKeys keys, byte[] owner) {
        if (keys.mode == null) {
            return backend.release(keys, owner);
        }
        byte[] publish = backend.publishCommand();
        Object removed = keys.mode == AcquireMode.PERMIT
                ? backend.evalShared(
                        keys,
                        SharedScripts.RELEASE,
                        2,
                        keys.lockBytes,
                        keys.otherBytes,
                        owner,
                        publish,
                        keys.channelBytes)
                : backend.evalShared(keys, SharedScripts.RELEASE, 1, keys.lockBytes, owner, publish, keys.channelBytes);
        return AcquireReply.asLong(removed) == 1;
    }

    /** The live holders of the semaphore, or of both sides of the read-write lock, without touching them. */
    static LockInfo inspect(Backend backend, String name, LockKeys keys) {
        Object reply = keys.mode == AcquireMode.PERMIT
                ? backend.evalShared(keys, SharedScripts.INSPECT, 2, keys.lockBytes, keys.fenceBytes)
                : backend.evalShared(keys, SharedScripts.INSPECT, 3, keys.lockBytes, keys.otherBytes, keys.fenceBytes);
        List<?> list = (List<?>) reply;
        long holders = AcquireReply.asLong(list.get(0));
        if (holders == 0) {
            return LockInfo.free(name);
        }
        return LockInfo.heldBy(
                name,
                (int) holders,
                StandaloneBackend.tokenOf(list.get(2)),
                Optional.of(Duration.ofMillis(Math.max(0, AcquireReply.asLong(list.get(1))))));
    }
}
