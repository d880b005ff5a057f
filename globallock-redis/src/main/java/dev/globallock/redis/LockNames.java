/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Redis names of the locks an engine uses, and the owner ids of its acquisitions: the engine's
 * random prefix and a sequence number in hex, unique per acquisition. Thread-safe.
 */
final class LockNames {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KEY_CACHE_SIZE = 1024;

    /** The Redis names of recently used keys, so that a busy lock does not build them on every acquisition. */
    private final Map<String, LockKeys> keyCache = new ConcurrentHashMap<>();

    private final byte[] ownerPrefix;
    private final AtomicLong ownerSequence = new AtomicLong();

    LockNames() {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        StringBuilder prefix = new StringBuilder();
        for (byte b : random) {
            prefix.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        this.ownerPrefix = Redis.bytes(prefix.append('-').toString());
    }

    LockKeys keysOf(String key) {
        LockKeys keys = keyCache.get(key);
        if (keys == null) {
            keys = LockKeys.of(key);
            if (keyCache.size() >= KEY_CACHE_SIZE) {
                keyCache.clear();
            }
            keyCache.put(key, keys);
        }
        return keys;
    }

    /** The engine's random prefix and a sequence number in hex: unique per acquisition. */
    byte[] newOwner() {
        long n = ownerSequence.incrementAndGet();
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(n)) / 4);
        byte[] owner = Arrays.copyOf(ownerPrefix, ownerPrefix.length + digits);
        for (int i = owner.length - 1; i >= ownerPrefix.length; i--, n >>>= 4) {
            owner[i] = (byte) Character.forDigit((int) (n & 0xF), 16);
        }
        return owner;
    }
}
