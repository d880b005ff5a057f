/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;

/**
 * One master: a single server, or the master that Sentinel currently names. One script call per
 * operation on a pooled connection; renewals in batches of {@code renew-batch-size} locks per call.
 */
final class StandaloneBackend implements Backend {
    private final String endpoint;
    private final Supplier<Connection> connections;
    private final Subscriber subscriber;
    private final Runnable closer;
    private final int waitForReplicas;
    private final long waitForReplicasMillis;
    private final int batchSize;
    private final NodeIdentity identity;
    private final boolean watches;

    /**
     * @param connections borrows a pooled connection to the master (closing it returns it)
     * @param subscriberConnections opens the pub/sub connection to the master (through {@code identity})
     * @param closer closes the pools this backend opened (nothing for an application's client)
     * @param identity the master's identity, fed by the connections this backend opens itself
     * @param watches whether the pub/sub connection is kept open while leases are held
     */
    StandaloneBackend(
            String endpoint,
            Supplier<Connection> connections,
            Supplier<Connection> subscriberConnections,
            Runnable closer,
            RedisEngineConfig config,
            Subscriber.Listener listener,
            NodeIdentity identity,
            boolean watches) {
        this.endpoint = endpoint;
        this.identity = identity;
        this.watches = watches;
        this.connections = connections;
        this.closer = closer;
        this.subscriber = new Subscriber(endpoint, subscriberConnections, false, listener);
        this.waitForReplicas = config.waitForReplicas();
        this.waitForReplicasMillis = config.waitForReplicasTimeout().toMillis();
        this.batchSize = config.renewBatchSize();
    }

    @Override
    public String describe() {
        return endpoint;
    }

    @Override
    public AcquireReply acquire(LockKeys keys, byte[] owner, long leaseMillis) {
        try (Connection connection = connections.get()) {
            AcquireReply reply = AcquireReply.decode(Redis.eval(
                    connection,
                    RedisScripts.ACQUIRE,
                    2,
                    keys.lockBytes,
                    keys.fenceBytes,
                    owner,
                    Redis.number(leaseMillis)));
            if (reply.acquired && waitForReplicas > 0) {
                awaitReplicas(connection, keys, owner, Redis.PUBLISH, waitForReplicas, waitForReplicasMillis);
            }
            identity.answered();
            if (reply.acquired) {
                identity.observeOnce(connection);
            }
            return reply;
        }
    }

    /**
     * Waits ({@code WAIT}) for {@code replicas} replicas to acknowledge a grant made on the
     * connection; when fewer did in time, releases it again (publishing the release with {@code
     * publish}) and throws.
     *
     * @throws Errors.ReplicationShortfall when too few replicas acknowledged the grant
     */
    static void awaitReplicas(
            Connection connection, LockKeys keys, byte[] owner, byte[] publish, int replicas, long timeoutMillis) {
        long acknowledged = connection.executeCommand(Redis.COMMANDS.waitReplicas(replicas, timeoutMillis));
        if (acknowledged < replicas) {
            Redis.eval(connection, RedisScripts.RELEASE, 1, keys.lockBytes, owner, publish, keys.channelBytes);
            throw new Errors.ReplicationShortfall("only " + acknowledged + " of " + replicas
                    + " replicas acknowledged the acquisition within " + timeoutMillis
                    + "ms (wait-for-replicas), so it was undone");
        }
    }

    @Override
    public Object evalShared(LockKeys keys, RedisScripts.Script script, int numKeys, byte[]... params) {
        try (Connection connection = connections.get()) {
            Object reply = Redis.eval(connection, script, numKeys, params);
            identity.answered();
            identity.observeOnce(connection);
            return reply;
        }
    }

    @Override
    public List<NodeIdentity> nodes() {
        return List.of(identity);
    }

    @Override
    public long epoch() {
        return identity.epoch();
    }

    @Override
    public void watch() {
        if (watches) {
            subscriber.watch();
        }
    }

    @Override
    public Optional<LockBackendException> connectionProblem() {
        return identity.problem();
    }

    @Override
    public boolean release(LockKeys keys, byte[] owner) {
        try (Connection connection = connections.get()) {
            Object deleted = Redis.eval(
                    connection, RedisScripts.RELEASE, 1, keys.lockBytes, owner, Redis.PUBLISH, keys.channelBytes);
            identity.answered();
            return AcquireReply.asLong(deleted) == 1;
        }
    }

    @Override
    public Set<RedisGrant> renew(List<RedisGrant> grants) {
        Set<RedisGrant> lost = new HashSet<>();
        try (Connection connection = connections.get()) {
            for (int from = 0; from < grants.size(); from += batchSize) {
                List<RedisGrant> batch = grants.subList(from, Math.min(grants.size(), from + batchSize));
                lost.addAll(renewBatch(connection, batch, RedisScripts.RENEW));
            }
        }
        identity.answered();
        return lost;
    }

    /** One renewal script call for the batch; returns the grants it found lost. */
    static Set<RedisGrant> renewBatch(Connection connection, List<RedisGrant> batch, RedisScripts.Script script) {
        return lostOf(batch, Redis.eval(connection, script, batch.size(), renewParams(batch)));
    }

    /** The renewal script's keys (the locks) then arguments (owner and lease of each). */
    static byte[][] renewParams(List<RedisGrant> batch) {
        int n = batch.size();
        byte[][] params = new byte[n * 3][];
        for (int i = 0; i < n; i++) {
            RedisGrant grant = batch.get(i);
            params[i] = grant.keys.lockBytes;
            params[n + 2 * i] = grant.owner;
            params[n + 2 * i + 1] = Redis.number(grant.keys.mode == null ? grant.leaseMillis : -grant.leaseMillis);
        }
        return params;
    }

    static Set<RedisGrant> lostOf(List<RedisGrant> batch, Object reply) {
        Set<RedisGrant> lost = new HashSet<>();
        if (reply instanceof List) {
            for (Object position : (List<?>) reply) {
                lost.add(batch.get((int) AcquireReply.asLong(position) - 1));
            }
        }
        return lost;
    }

    @Override
    public void discardFence(LockKeys keys) {
        try (Connection connection = connections.get()) {
            Redis.eval(connection, RedisScripts.DISCARD_FENCE, 2, keys.lockBytes, keys.fenceBytes);
        }
    }

    @Override
    public LockInfo inspect(String name, LockKeys keys) {
        try (Connection connection = connections.get()) {
            return decodeInspect(
                    name, Redis.eval(connection, RedisScripts.INSPECT, 2, keys.lockBytes, keys.fenceBytes));
        }
    }

    /** Decodes the INSPECT script's reply: {owner or null, pttl, counter or null}. */
    static LockInfo decodeInspect(String name, Object reply) {
        List<?> list = (List<?>) reply;
        if (list.get(0) == null) {
            return LockInfo.free(name);
        }
        long pttl = AcquireReply.asLong(list.get(1));
        return LockInfo.held(
                name,
                tokenOf(list.get(2)),
                pttl >= 0 ? java.util.Optional.of(java.time.Duration.ofMillis(pttl)) : java.util.Optional.empty());
    }

    /** The counter read by INSPECT: the holder's token while the lock is held. */
    static java.util.OptionalLong tokenOf(Object counter) {
        if (counter == null) {
            return java.util.OptionalLong.empty();
        }
        try {
            return java.util.OptionalLong.of(AcquireReply.asLong(counter));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    @Override
    public List<Subscriber> subscribersFor(LockKeys keys) {
        return List.of(subscriber);
    }

    @Override
    public void close() {
        subscriber.close();
        closer.run();
    }
}
