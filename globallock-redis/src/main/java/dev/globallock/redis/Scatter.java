/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Script calls to several nodes at once from one thread: every node's calls are written
 * (pipelined) on its own connection first, then the replies are read node by node, each read
 * bounded by what is left of one command timeout. The whole round costs about one round trip, and
 * nodes that are down cost their timeout once, not once each.
 */
final class Scatter {
    private Scatter() {}

    /** One script call. */
    static final class Call {
        final RedisScripts.Script script;
        final int numKeys;
        final byte[][] keysThenArgs;

        Call(RedisScripts.Script script, List<String> keys, List<String> args) {
            this(script, keys.size(), Redis.params(keys, args));
        }

        Call(RedisScripts.Script script, int numKeys, byte[]... keysThenArgs) {
            this.script = script;
            this.numKeys = numKeys;
            this.keysThenArgs = keysThenArgs;
        }
    }

    /** The calls for one node, and after the round, their replies or the node's failure. */
    static final class Target {
        final Supplier<Connection> connection;
        final List<Call> calls;
        final List<Object> replies = new ArrayList<>();
        RuntimeException failure;

        Target(Supplier<Connection> connection, List<Call> calls) {
            this.connection = connection;
            this.calls = calls;
        }

        boolean ok() {
            return failure == null;
        }
    }

    /**
     * Runs every target's calls; fills in each target's replies (a reply may itself be a
     * {@link RuntimeException} for a call the node refused) or its failure. Never throws for a
     * node's failure.
     */
    static void run(List<Target> targets, long timeoutMillis) {
        List<Connection> open = new ArrayList<>(targets.size());
        for (Target target : targets) {
            Connection connection = null;
            try {
                connection = target.connection.get();
                for (Call call : target.calls) {
                    connection.sendCommand(Redis.evalsha(call.script, call.numKeys, call.keysThenArgs));
                }
                connection.getMany(0); // flush
            } catch (RuntimeException e) {
                target.failure = e;
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
            open.add(connection);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            Connection connection = open.get(i);
            if (connection == null) {
                continue;
            }
            try {
                for (Call call : target.calls) {
                    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                    connection.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                    Object reply;
                    try {
                        reply = connection.getUnflushedObject();
                    } catch (JedisNoScriptException e) {
                        reply = NOSCRIPT;
                    } catch (JedisConnectionException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        reply = e;
                    }
                    target.replies.add(reply);
                }
                connection.rollbackTimeout();
                // a node that forgot its scripts: run those calls again with EVAL (they did not run)
                for (int c = 0; c < target.calls.size(); c++) {
                    if (target.replies.get(c) == NOSCRIPT) {
                        Call call = target.calls.get(c);
                        Object reply;
                        try {
                            reply = Redis.eval(connection, call.script, call.numKeys, call.keysThenArgs);
                        } catch (JedisConnectionException e) {
                            throw e;
                        } catch (RuntimeException e) {
                            reply = e;
                        }
                        target.replies.set(c, reply);
                    }
                }
            } catch (RuntimeException e) {
                target.failure = e;
                target.replies.clear();
            } finally {
                connection.close();
            }
        }
    }

    private static final Object NOSCRIPT = new Object();
}
