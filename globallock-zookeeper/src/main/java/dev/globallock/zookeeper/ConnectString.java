/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.support.Redaction;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.common.PathUtils;

/**
 * A ZooKeeper connect string ({@code host:port[,host:port...][/chroot]}), checked the way
 * ZooKeeper's client parses it, so that a mistake is reported at load time with what is wrong
 * instead of as a connection that never comes (the client logs the real reason and retries).
 */
final class ConnectString {
    static final int DEFAULT_PORT = 2181;

    private ConnectString() {}

    /** One server of the ensemble. */
    static final class Server {
        final String host;
        final int port;

        Server(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Why the connect string is unusable, as {@code it ...} or {@code its ...}, or null when it is
     * fine. Never repeats user-info (an {@code @}): ZooKeeper connect strings carry no credentials.
     */
    static String problem(String connectString) {
        String text = connectString.trim();
        if (Redaction.hasUserInfo(text)) {
            return "it must not carry credentials: ZooKeeper connect strings have none;"
                    + " set zookeeper.digest.username and zookeeper.digest.password instead";
        }
        int slash = text.indexOf('/');
        String hosts = slash < 0 ? text : text.substring(0, slash);
        if (slash >= 0) {
            String chroot = text.substring(slash);
            if (chroot.length() > 1) {
                try {
                    PathUtils.validatePath(chroot);
                } catch (IllegalArgumentException e) {
                    return "its chroot '" + chroot + "' is not a valid ZooKeeper path: " + e.getMessage();
                }
            }
        }
        if (hosts.isBlank()) {
            return "it names no server; expected host:port[,host:port...][/chroot] such as 127.0.0.1:2181";
        }
        for (String entry : hosts.split(",", -1)) {
            String problem = serverProblem(entry.trim());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** The well-formed servers of a connect string (all of them, when {@link #problem} accepted it). */
    static List<Server> servers(String connectString) {
        String text = connectString.trim();
        int slash = text.indexOf('/');
        String hosts = slash < 0 ? text : text.substring(0, slash);
        List<Server> servers = new ArrayList<>();
        for (String entry : hosts.split(",")) {
            String[] hostAndPort = split(entry.trim());
            if (hostAndPort != null && serverProblem(entry.trim()) == null) {
                servers.add(new Server(
                        hostAndPort[0], hostAndPort[1].isEmpty() ? DEFAULT_PORT : Integer.parseInt(hostAndPort[1])));
            }
        }
        return servers;
    }

    private static String serverProblem(String entry) {
        if (entry.isEmpty()) {
            return "it has an empty server entry (two commas, or a comma at an end)";
        }
        String[] hostAndPort = split(entry);
        if (hostAndPort == null) {
            return "its server '" + entry + "' is not host:port (an IPv6 address goes in brackets, as [::1]:2181)";
        }
        String host = hostAndPort[0];
        String port = hostAndPort[1];
        if (host.isEmpty()) {
            return "its server '" + entry + "' has no host";
        }
        if (entry.indexOf(':') >= 0 && !entry.startsWith("[") && port.isEmpty()) {
            return "its server '" + entry + "' has no port after the ':'";
        }
        if (!port.isEmpty()) {
            if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return "its port '" + port + "' (of server '" + entry + "') is not a number";
            }
            if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                return "its port " + port + " (of server '" + entry + "') is not between 1 and 65535";
            }
        }
        return null;
    }

    /** {host, port} with port "" when absent, as ZooKeeper's client splits an entry; null if malformed. */
    private static String[] split(String entry) {
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                return null;
            }
            String rest = entry.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return null;
            }
            return new String[] {entry.substring(1, close), rest.isEmpty() ? "" : rest.substring(1)};
        }
        int colon = entry.lastIndexOf(':');
        if (colon < 0) {
            return new String[] {entry, ""};
        }
        return new String[] {entry.substring(0, colon), entry.substring(colon + 1)};
    }
}
