package dev.globallock.zookeeper;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** Curator's in-process ZooKeeper servers with a short tick, so sessions can be short in tests. */
final class TestingServers {
    /** The tick: the server accepts session timeouts from 2 ticks up to {@code maxSessionTimeout}. */
    static final int TICK_MILLIS = 100;

    /** The session timeout the tests use: short, so expiry tests are quick. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);

    private TestingServers() {}

    static TestingServer start() throws Exception {
        return new TestingServer(spec(), true);
    }

    static InstanceSpec spec() {
        return new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MILLIS, -1, serverProperties(), "127.0.0.1");
    }

    static Map<String, Object> serverProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("minSessionTimeout", String.valueOf(2 * TICK_MILLIS));
        properties.put("maxSessionTimeout", "60000");
        return properties;
    }

    /** A manager configuration on the server with the test session timeout. */
    static Map<String, Object> config(String connectString) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("connect-string", connectString);
        section.put("session-timeout", SESSION_TIMEOUT.toMillis() + "ms");
        section.put("connection-timeout", "3s");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", "zookeeper");
        config.put("zookeeper", section);
        return config;
    }
}
