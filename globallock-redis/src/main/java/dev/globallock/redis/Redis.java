/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Script calls on one connection, with the NOSCRIPT fallback. Replies come back as the protocol
 * gives them (Long, byte[], List, null), without Jedis's decoding of every bulk string.
 */
final class Redis {
    static final CommandObjects COMMANDS = new CommandObjects();
    private static final byte[][] NUMBERS = new byte[8][];

    static {
        for (int i = 0; i < NUMBERS.length; i++) {
            NUMBERS[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    static final byte[] PUBLISH = bytes("PUBLISH");
    static final byte[] SPUBLISH = bytes("SPUBLISH");

    private Redis() {}

    /** A number argument as sent. */
    static byte[] number(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Runs the script with EVALSHA; on NOSCRIPT (a restarted or failed-over node forgot its
     * scripts) runs it once with EVAL, which also loads it. The script did not run when NOSCRIPT
     * came back, so this is never a blind re-send.
     */
    static Object eval(Connection connection, RedisScripts.Script script, List<String> keys, List<String> args) {
        return eval(connection, script, keys.size(), params(keys, args));
    }

    /** Keys then arguments, encoded. */
    static byte[][] params(List<String> keys, List<String> args) {
        byte[][] params = new byte[keys.size() + args.size()][];
        int i = 0;
        for (String key : keys) {
            params[i++] = bytes(key);
        }
        for (String arg : args) {
            params[i++] = bytes(arg);
        }
        return params;
    }

    /** {@link #eval(Connection, RedisScripts.Script, List, List)} with encoded keys then arguments. */
    static Object eval(Connection connection, RedisScripts.Script script, int numKeys, byte[]... keysThenArgs) {
        try {
            return connection.executeCommand(call(Protocol.Command.EVALSHA, script.sha1Bytes, numKeys, keysThenArgs));
        } catch (JedisNoScriptException e) {
            return connection.executeCommand(call(Protocol.Command.EVAL, script.sourceBytes, numKeys, keysThenArgs));
        }
    }

    /** The EVALSHA command of the script, for pipelining. */
    static CommandArguments evalsha(RedisScripts.Script script, int numKeys, byte[]... keysThenArgs) {
        return call(Protocol.Command.EVALSHA, script.sha1Bytes, numKeys, keysThenArgs);
    }

    private static CommandArguments call(Protocol.Command command, byte[] script, int numKeys, byte[][] params) {
        CommandArguments arguments = new CommandArguments(command).add(script).add(number(numKeys));
        for (byte[] param : params) {
            arguments.add(param);
        }
        return arguments;
    }

    private static byte[] number(int n) {
        return n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /** A string argument as sent. */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
