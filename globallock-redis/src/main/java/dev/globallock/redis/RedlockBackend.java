/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.Durations;
import dev.globallock.LockBackendException;
import dev.globallock.LockInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;

/**
 * Redlock over N independent masters. An attempt runs the acquire script on every node at once
 * (one round) and holds the lock when a majority granted it within its validity time (lease minus
 * the elapsed time minus a clock drift of 1% of the lease plus 2 ms); otherwise it undoes the
 * partial grants on every node. The fencing token is the largest of the majority's tokens, and a
 * second round raises the counters of the granting nodes to it before the grant counts, so that any
 * later majority, which shares a node with this one, mints a larger token. Release and renewal go to
 * every node; a lease stays held while a majority still renews it. A node that is down costs one
 * command timeout per round, not one per node.
 *
 * <p>Delayed rejoin: a master that comes back as another process (a restart, which without
 * persistence forgets every lock) could grant a lock that a majority including it granted before.
 * So it does not count towards any majority (it counts as a node that did not answer) for the
 * longest lease this engine has asked for, from the moment a new connection finds its new identity,
 * as the Redlock description recommends; its replies are still sent and undone as usual.
 */
final class RedlockBackend implements Backend {
    private final String endpoint;
    private final List<ConnectionPool> pools = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final List<NodeIdentity> identities = new ArrayList<>();
    private final int quorum;
    private final int batchSize;
    private final long commandTimeoutMillis;
    private final LongSupplier ticker;
    /** The longest lease asked for so far: how long a node that came back as another process is left out. */
    private volatile long longestLeaseMillis;

    /** @param ticker the engine's monotonic clock, in nanoseconds */
    RedlockBackend(
            RedisEngineConfig config, RedisConnector connector, Subscriber.Listener listener, LongSupplier ticker) {
        this.endpoint = config.describeEndpoint();
        this.ticker = ticker;
        for (HostAndPort node : connector.nodes()) {
            NodeIdentity identity =
                    new NodeIdentity(node.toString(), ticker, () -> TimeUnit.MILLISECONDS.toNanos(longestLeaseMillis));
            identities.add(identity);
            pools.add(connector.pool(node, identity));
            subscribers.add(new Subscriber(
                    node.toString(), () -> identity.open(() -> connector.connect(node)), false, listener));
        }
        this.quorum = pools.size() / 2 + 1;
        this.batchSize = config.renewBatchSize();
        this.commandTimeoutMillis = config.commandTimeout().toMillis();
    }

    @Override
    public String describe() {
        return endpoint + " (redlock, quorum " + quorum + ")";
    }

    @Override
    public AcquireReply acquire(LockKeys keys, byte[] owner, long leaseMillis) {
        if (leaseMillis > longestLeaseMillis) {
            longestLeaseMillis = leaseMillis; // a lost race keeps a shorter lease: the next acquisition sets it
        }
        long start = System.nanoTime();
        List<Scatter.Target> round = everyNode(new Scatter.Call(
                RedisScripts.ACQUIRE, 2, keys.lockBytes, keys.fenceBytes, owner, Redis.number(leaseMillis)));
        Scatter.run(round, commandTimeoutMillis);
        long now = ticker.getAsLong();
        List<Integer> granted = new ArrayList<>();
        long token = Long.MIN_VALUE;
        long shortestPttl = Long.MAX_VALUE;
        int answered = 0;
        RuntimeException failure = null;
        for (int i = 0; i < round.size(); i++) {
            Object reply = replyOf(round.get(i));
            if (reply instanceof RuntimeException) {
                failure = failure == null ? (RuntimeException) reply : failure;
                continue;
            }
            identities.get(i).answered();
            if (!identities.get(i).counts(now)) {
                continue; // came back as another process: counts as not answering until its rejoin delay passed
            }
            answered++;
            AcquireReply decoded = AcquireReply.decode(reply);
            if (decoded.acquired) {
                granted.add(i);
                token = Math.max(token, decoded.token);
            } else if (decoded.pttl >= 0) {
                shortestPttl = Math.min(shortestPttl, decoded.pttl);
            }
        }
        if (granted.size() >= quorum && validityLeft(start, leaseMillis) > 0) {
            List<Scatter.Target> raise = new ArrayList<>();
            for (int i : granted) {
                ConnectionPool pool = pools.get(i);
                raise.add(new Scatter.Target(
                        pool::getResource,
                        List.of(new Scatter.Call(RedisScripts.RAISE_FENCE, 1, keys.fenceBytes, Redis.number(token)))));
            }
            Scatter.run(raise, commandTimeoutMillis);
            int raised = 0;
            for (Scatter.Target target : raise) {
                if (!(replyOf(target) instanceof RuntimeException)) {
                    raised++;
                }
            }
            if (raised >= quorum && validityLeft(start, leaseMillis) > 0) {
                return AcquireReply.granted(token);
            }
        }
        // no majority in time: undo whatever this owner got, on every node (a lost reply may hide a grant)
        releaseEverywhere(keys, owner);
        if (answered < quorum) {
            throw new Errors.QuorumUnavailable(
                    "only " + answered + " of " + pools.size()
                            + " Redlock nodes answered but a majority of " + quorum + " is needed"
                            + rejoining(now)
                            + (failure == null ? "" : ": " + Errors.describe(failure)),
                    failure);
        }
        if (!granted.isEmpty() || shortestPttl == Long.MAX_VALUE) {
            // a split vote between contenders, or a grant that came too late: try again shortly, at random
            return AcquireReply.taken(5 + ThreadLocalRandom.current().nextLong(25));
        }
        return AcquireReply.taken(shortestPttl);
    }

    private static long validityLeft(long startNanos, long leaseMillis) {
        long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000L;
        long drift = leaseMillis / 100 + 2;
        return leaseMillis - elapsedMillis - drift;
    }

    @Override
    public boolean release(LockKeys keys, byte[] owner) {
        return releaseEverywhere(keys, owner);
    }

    private boolean releaseEverywhere(LockKeys keys, byte[] owner) {
        List<Scatter.Target> round = everyNode(
                new Scatter.Call(RedisScripts.RELEASE, 1, keys.lockBytes, owner, Redis.PUBLISH, keys.channelBytes));
        Scatter.run(round, commandTimeoutMillis);
        boolean deleted = false;
        RuntimeException failure = null;
        int answered = 0;
        for (Scatter.Target target : round) {
            Object reply = replyOf(target);
            if (reply instanceof RuntimeException) {
                failure = failure == null ? (RuntimeException) reply : failure;
            } else {
                answered++;
                deleted |= AcquireReply.asLong(reply) == 1;
            }
        }
        if (answered == 0 && failure != null) {
            throw failure; // nothing answered: the caller may retry; the leases end by themselves anyway
        }
        return deleted;
    }

    @Override
    public Set<RedisGrant> renew(List<RedisGrant> grants) {
        return check(grants, RedisScripts.RENEW, "renewal");
    }

    @Override
    public Set<RedisGrant> verify(List<RedisGrant> grants) {
        return check(grants, RedisScripts.VERIFY, "check");
    }

    /** Runs the renewal or check script on every node; the grants a counting majority no longer holds. */
    private Set<RedisGrant> check(List<RedisGrant> grants, RedisScripts.Script script, String what) {
        List<Scatter.Call> calls = new ArrayList<>();
        List<List<RedisGrant>> batches = new ArrayList<>();
        for (int from = 0; from < grants.size(); from += batchSize) {
            List<RedisGrant> batch = grants.subList(from, Math.min(grants.size(), from + batchSize));
            batches.add(batch);
            calls.add(new Scatter.Call(script, batch.size(), StandaloneBackend.renewParams(batch)));
        }
        List<Scatter.Target> round = new ArrayList<>();
        for (ConnectionPool pool : pools) {
            round.add(new Scatter.Target(pool::getResource, calls));
        }
        Scatter.run(round, commandTimeoutMillis);
        long now = ticker.getAsLong();
        Map<RedisGrant, Integer> held = new HashMap<>();
        int answered = 0;
        RuntimeException failure = null;
        for (int t = 0; t < round.size(); t++) {
            Scatter.Target target = round.get(t);
            if (!target.ok()) {
                failure = failure == null ? target.failure : failure;
                continue;
            }
            identities.get(t).answered();
            if (!identities.get(t).counts(now)) {
                continue;
            }
            boolean complete = true;
            Set<RedisGrant> lostHere = new HashSet<>();
            for (int b = 0; b < batches.size(); b++) {
                Object reply = target.replies.get(b);
                if (reply instanceof RuntimeException) {
                    failure = failure == null ? (RuntimeException) reply : failure;
                    complete = false;
                    break;
                }
                lostHere.addAll(StandaloneBackend.lostOf(batches.get(b), reply));
            }
            if (!complete) {
                continue;
            }
            answered++;
            for (RedisGrant grant : grants) {
                if (!lostHere.contains(grant)) {
                    held.merge(grant, 1, Integer::sum);
                }
            }
        }
        if (answered < quorum) {
            throw new Errors.QuorumUnavailable(
                    "only " + answered + " of " + pools.size()
                            + " Redlock nodes answered the " + what + " but a majority of "
                            + quorum + " is needed"
                            + rejoining(now)
                            + (failure == null ? "" : ": " + Errors.describe(failure)),
                    failure);
        }
        Set<RedisGrant> lost = new HashSet<>();
        for (RedisGrant grant : grants) {
            if (held.getOrDefault(grant, 0) < quorum) {
                lost.add(grant);
            }
        }
        return lost;
    }

    @Override
    public void discardFence(LockKeys keys) {
        List<Scatter.Target> round =
                everyNode(new Scatter.Call(RedisScripts.DISCARD_FENCE, 2, keys.lockBytes, keys.fenceBytes));
        Scatter.run(round, commandTimeoutMillis);
        for (Scatter.Target target : round) {
            if (replyOf(target) instanceof RuntimeException) {
                throw (RuntimeException) replyOf(target);
            }
        }
    }

    @Override
    public LockInfo inspect(String name, LockKeys keys) {
        List<Scatter.Target> round =
                everyNode(new Scatter.Call(RedisScripts.INSPECT, 2, keys.lockBytes, keys.fenceBytes));
        Scatter.run(round, commandTimeoutMillis);
        long now = ticker.getAsLong();
        Map<String, List<long[]>> byOwner = new HashMap<>();
        int answered = 0;
        RuntimeException failure = null;
        for (int t = 0; t < round.size(); t++) {
            Object reply = replyOf(round.get(t));
            if (reply instanceof RuntimeException) {
                failure = failure == null ? (RuntimeException) reply : failure;
                continue;
            }
            identities.get(t).answered();
            if (!identities.get(t).counts(now)) {
                continue;
            }
            answered++;
            List<?> list = (List<?>) reply;
            if (list.get(0) == null) {
                continue;
            }
            String owner = list.get(0) instanceof byte[]
                    ? new String((byte[]) list.get(0), java.nio.charset.StandardCharsets.UTF_8)
                    : String.valueOf(list.get(0));
            OptionalLong token = StandaloneBackend.tokenOf(list.get(2));
            byOwner.computeIfAbsent(owner, o -> new ArrayList<>())
                    .add(new long[] {token.orElse(Long.MIN_VALUE), AcquireReply.asLong(list.get(1))});
        }
        if (answered < quorum) {
            throw new Errors.QuorumUnavailable(
                    "only " + answered + " of " + pools.size() + " Redlock nodes answered but a majority of " + quorum
                            + " is needed"
                            + rejoining(now)
                            + (failure == null ? "" : ": " + Errors.describe(failure)),
                    failure);
        }
        for (List<long[]> holders : byOwner.values()) {
            if (holders.size() >= quorum) {
                long token = Long.MIN_VALUE;
                long pttl = Long.MAX_VALUE;
                for (long[] holder : holders) {
                    token = Math.max(token, holder[0]);
                    pttl = Math.min(pttl, holder[1]);
                }
                return LockInfo.held(
                        name,
                        token == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(token),
                        pttl >= 0 ? Optional.of(Duration.ofMillis(pttl)) : Optional.empty());
            }
        }
        return LockInfo.free(name);
    }

    /** Names the nodes left out of majorities for now, for messages; empty when none is. */
    private String rejoining(long now) {
        List<String> left = new ArrayList<>();
        for (NodeIdentity identity : identities) {
            Duration wait = identity.excludedFor(now);
            if (!wait.isZero()) {
                left.add(identity.node() + " for another " + Durations.format(Duration.ofMillis(wait.toMillis())));
            }
        }
        return left.isEmpty()
                ? ""
                : " (not counted because they came back as another process, as a Redlock node must not rejoin "
                        + "before the longest lease has run out: " + String.join(", ", left) + ")";
    }

    @Override
    public List<NodeIdentity> nodes() {
        return identities;
    }

    @Override
    public void watch() {
        for (Subscriber subscriber : subscribers) {
            subscriber.watch();
        }
    }

    /** A problem when so many nodes fail to connect that no majority can answer. */
    @Override
    public Optional<LockBackendException> connectionProblem() {
        List<LockBackendException> problems = new ArrayList<>();
        for (NodeIdentity identity : identities) {
            identity.problem().ifPresent(problems::add);
        }
        if (problems.size() <= pools.size() - quorum) {
            return Optional.empty();
        }
        List<String> messages = new ArrayList<>();
        for (LockBackendException problem : problems) {
            messages.add(problem.getMessage());
        }
        return Optional.of(new LockBackendException(
                problems.size() + " of " + pools.size() + " Redlock nodes cannot be reached and a majority of " + quorum
                        + " is needed: " + String.join("; ", messages),
                problems.get(0)));
    }

    private List<Scatter.Target> everyNode(Scatter.Call call) {
        List<Scatter.Target> round = new ArrayList<>(pools.size());
        for (ConnectionPool pool : pools) {
            round.add(new Scatter.Target(pool::getResource, List.of(call)));
        }
        return round;
    }

    /** The target's only reply, or its failure. */
    private static Object replyOf(Scatter.Target target) {
        if (!target.ok()) {
            return target.failure;
        }
        return target.replies.isEmpty() ? new IllegalStateException("no reply") : target.replies.get(0);
    }

    @Override
    public List<Subscriber> subscribersFor(LockKeys keys) {
        return subscribers;
    }

    @Override
    public void close() {
        subscribers.forEach(Subscriber::close);
        pools.forEach(ConnectionPool::close);
    }
}
