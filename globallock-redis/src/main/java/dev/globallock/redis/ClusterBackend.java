/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.LockInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A Redis Cluster: each call goes to the master of the lock's slot (one MOVED or ASK redirection is
 * followed; the script did not run when one comes back). Releases publish with SPUBLISH on the
 * lock's shard channel and waiters listen with SSUBSCRIBE on one subscriber connection per master.
 * Renewals are grouped by master, one cross-slot script call per master and batch, sent to all
 * masters at once.
 */
final class ClusterBackend implements Backend {
    private final String endpoint;
    private final ClusterConnectionProvider provider;
    private final RedisConnector connector;
    private final HostAndPort seed;
    private final Subscriber.Listener listener;
    private final Map<HostAndPort, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final int batchSize;
    private final int waitForReplicas;
    private final long waitForReplicasMillis;
    private final long commandTimeoutMillis;
    private volatile boolean closed;

    ClusterBackend(RedisEngineConfig config, RedisConnector connector, Subscriber.Listener listener) {
        this.endpoint = config.describeEndpoint();
        this.connector = connector;
        this.seed = connector.nodes().get(0);
        this.provider = connector.cluster();
        this.listener = listener;
        this.batchSize = config.renewBatchSize();
        this.waitForReplicas = config.waitForReplicas();
        this.waitForReplicasMillis = config.waitForReplicasTimeout().toMillis();
        this.commandTimeoutMillis = config.commandTimeout().toMillis();
    }

    @Override
    public String describe() {
        return endpoint;
    }

    @Override
    public AcquireReply acquire(LockKeys keys, byte[] owner, long leaseMillis) {
        byte[] lease = Redis.number(leaseMillis);
        return onSlotOf(keys.lock, connection -> {
            AcquireReply reply = AcquireReply.decode(
                    Redis.eval(connection, RedisScripts.ACQUIRE, 2, keys.lockBytes, keys.fenceBytes, owner, lease));
            if (reply.acquired && waitForReplicas > 0) {
                StandaloneBackend.awaitReplicas(
                        connection, keys, owner, Redis.SPUBLISH, waitForReplicas, waitForReplicasMillis);
            }
            return reply;
        });
    }

    @Override
    public boolean release(LockKeys keys, byte[] owner) {
        return onSlotOf(
                keys.lock,
                connection -> AcquireReply.asLong(Redis.eval(
                                connection,
                                RedisScripts.RELEASE,
                                1,
                                keys.lockBytes,
                                owner,
                                Redis.SPUBLISH,
                                keys.channelBytes))
                        == 1);
    }

    @Override
    public Object evalShared(LockKeys keys, RedisScripts.Script script, int numKeys, byte[]... params) {
        return onSlotOf(keys.lock, connection -> Redis.eval(connection, script, numKeys, params));
    }

    @Override
    public byte[] publishCommand() {
        return Redis.SPUBLISH;
    }

    @Override
    public void discardFence(LockKeys keys) {
        onSlotOf(
                keys.lock,
                connection -> Redis.eval(connection, RedisScripts.DISCARD_FENCE, 2, keys.lockBytes, keys.fenceBytes));
    }

    @Override
    public LockInfo inspect(String name, LockKeys keys) {
        return onSlotOf(
                keys.lock,
                connection -> StandaloneBackend.decodeInspect(
                        name, Redis.eval(connection, RedisScripts.INSPECT, 2, keys.lockBytes, keys.fenceBytes)));
    }

    @Override
    public Set<RedisGrant> renew(List<RedisGrant> grants) {
        Set<RedisGrant> lost = new HashSet<>();
        List<RedisGrant> retry = renewOnce(grants, lost);
        if (!retry.isEmpty()) {
            // slots moved under some batches: read the slot map again and send those once more
            provider.renewSlotCache();
            List<RedisGrant> failed = renewOnce(retry, lost);
            if (!failed.isEmpty()) {
                throw new IllegalStateException("could not renew " + failed.size()
                        + " lock(s): their slots keep moving or their masters do not answer");
            }
        }
        return lost;
    }

    /** One round over all masters; returns the grants whose batch failed. */
    private List<RedisGrant> renewOnce(List<RedisGrant> grants, Set<RedisGrant> lost) {
        Map<HostAndPort, List<RedisGrant>> byNode = new LinkedHashMap<>();
        for (RedisGrant grant : grants) {
            byNode.computeIfAbsent(nodeOf(grant.keys.lock), n -> new ArrayList<>())
                    .add(grant);
        }
        List<Scatter.Target> targets = new ArrayList<>();
        List<List<List<RedisGrant>>> batchesPerTarget = new ArrayList<>();
        for (Map.Entry<HostAndPort, List<RedisGrant>> node : byNode.entrySet()) {
            List<Scatter.Call> calls = new ArrayList<>();
            List<List<RedisGrant>> batches = new ArrayList<>();
            List<RedisGrant> all = node.getValue();
            for (int from = 0; from < all.size(); from += batchSize) {
                List<RedisGrant> batch = all.subList(from, Math.min(all.size(), from + batchSize));
                batches.add(batch);
                calls.add(renewCall(batch));
            }
            HostAndPort address = node.getKey();
            targets.add(new Scatter.Target(() -> provider.getConnection(address), calls));
            batchesPerTarget.add(batches);
        }
        Scatter.run(targets, commandTimeoutMillis);
        List<RedisGrant> failed = new ArrayList<>();
        RuntimeException firstFailure = null;
        for (int t = 0; t < targets.size(); t++) {
            Scatter.Target target = targets.get(t);
            List<List<RedisGrant>> batches = batchesPerTarget.get(t);
            for (int b = 0; b < batches.size(); b++) {
                Object reply = target.ok() ? target.replies.get(b) : target.failure;
                if (reply instanceof JedisDataException) {
                    failed.addAll(batches.get(b)); // MOVED, CROSSSLOT, TRYAGAIN: the slot map is stale
                } else if (reply instanceof RuntimeException) {
                    if (firstFailure == null) {
                        firstFailure = (RuntimeException) reply;
                    }
                } else {
                    lost.addAll(StandaloneBackend.lostOf(batches.get(b), reply));
                }
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return failed;
    }

    private static Scatter.Call renewCall(List<RedisGrant> batch) {
        return new Scatter.Call(RedisScripts.RENEW_CROSS_SLOT, batch.size(), StandaloneBackend.renewParams(batch));
    }

    @Override
    public List<Subscriber> subscribersFor(LockKeys keys) {
        HostAndPort node = nodeOf(keys.channel);
        return List.of(subscribers.computeIfAbsent(
                node, n -> new Subscriber(n.toString(), () -> connector.connect(n), true, listener)));
    }

    @Override
    public void refreshTopology() {
        if (!closed) {
            provider.renewSlotCache();
        }
    }

    /** The master the slot map names for the key; the first seed while the map is empty. */
    private HostAndPort nodeOf(String key) {
        HostAndPort node = provider.getNode(JedisClusterCRC16.getSlot(key));
        return node == null ? seed : node;
    }

    /** Runs on the slot's master, following one MOVED (after re-reading the slot map) or ASK. */
    private <T> T onSlotOf(String key, Function<Connection, T> call) {
        int slot = JedisClusterCRC16.getSlot(key);
        try (Connection connection = provider.getConnectionFromSlot(slot)) {
            return call.apply(connection);
        } catch (JedisMovedDataException e) {
            provider.renewSlotCache();
            try (Connection connection = provider.getConnection(e.getTargetNode())) {
                return call.apply(connection);
            }
        } catch (JedisAskDataException e) {
            try (Connection connection = provider.getConnection(e.getTargetNode())) {
                connection.executeCommand(Protocol.Command.ASKING);
                return call.apply(connection);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        subscribers.values().forEach(Subscriber::close);
        provider.close();
    }
}
