/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

/** How the Redis engine reaches Redis: the value of {@code redis.mode}. */
public enum RedisMode {
    /** One Redis server (or a managed endpoint that looks like one). */
    SINGLE,
    /** A master found through Redis Sentinel; {@code redis.nodes} lists the sentinels. */
    SENTINEL,
    /** A Redis Cluster; {@code redis.nodes} are seed nodes. Waiters use sharded pub/sub. */
    CLUSTER,
    /** Redlock over N independent masters; a lock is held when a majority granted it. */
    REDLOCK
}
