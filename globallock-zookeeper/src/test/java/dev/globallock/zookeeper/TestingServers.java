/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
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

    /** A running 3-server ensemble with the short tick. */
    static TestingCluster cluster() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(spec());
        }
        TestingCluster cluster = new TestingCluster(specs);
        cluster.start();
        return cluster;
    }

    /** The ensemble member that is leading now, asked with the {@code srvr} four-letter word. */
    static InstanceSpec leader(TestingCluster cluster) {
        for (InstanceSpec instance : cluster.getInstances()) {
            try (Socket socket = new Socket("127.0.0.1", instance.getPort())) {
                socket.setSoTimeout(2_000);
                socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (reply.contains("Mode: leader")) {
                    return instance;
                }
            } catch (IOException e) {
                // a dead or electing member: not the leader
            }
        }
        throw new IllegalStateException("no member of " + cluster.getConnectString() + " is leading");
    }

    /** Whether the member answers {@code srvr} with a mode: it has joined the ensemble and serves. */
    static boolean isServing(InstanceSpec instance) {
        try (Socket socket = new Socket("127.0.0.1", instance.getPort())) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return reply.contains("Mode: leader") || reply.contains("Mode: follower");
        } catch (IOException e) {
            return false;
        }
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
        return config(connectString, SESSION_TIMEOUT);
    }

    /** A manager configuration on the server(s) with this session timeout. */
    static Map<String, Object> config(String connectString, Duration sessionTimeout) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("connect-string", connectString);
        section.put("session-timeout", sessionTimeout.toMillis() + "ms");
        section.put("connection-timeout", "3s");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", "zookeeper");
        config.put("zookeeper", section);
        return config;
    }
}
