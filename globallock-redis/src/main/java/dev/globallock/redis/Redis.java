package dev.globallock.redis;

import java.util.List;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** Script calls on one connection, with the NOSCRIPT fallback. */
final class Redis {
    static final CommandObjects COMMANDS = new CommandObjects();

    private Redis() {}

    /**
     * Runs the script with EVALSHA; on NOSCRIPT (a restarted or failed-over node forgot its
     * scripts) runs it once with EVAL, which also loads it. The script did not run when NOSCRIPT
     * came back, so this is never a blind re-send.
     */
    static Object eval(Connection connection, RedisScripts.Script script, List<String> keys, List<String> args) {
        try {
            return connection.executeCommand(COMMANDS.evalsha(script.sha1, keys, args));
        } catch (JedisNoScriptException e) {
            return connection.executeCommand(COMMANDS.eval(script.source, keys, args));
        }
    }
}
