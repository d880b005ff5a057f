/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** What every compatibility-kit subclass of this module shares. */
final class ZooKeeperKitSupport {
    private ZooKeeperKitSupport() {}

    /** A configuration whose ensemble is a closed port, with a 1 s connection timeout. */
    static Map<String, Object> unreachableConfig() {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Map.of(
                "engine",
                "zookeeper",
                "zookeeper",
                Map.of(
                        "connect-string",
                        "127.0.0.1:" + closedPort,
                        "connection-timeout",
                        "1s",
                        "session-timeout",
                        "2s"));
    }

    /** A started client on the engine's namespace, for looking at and breaking lock nodes. */
    static CuratorFramework observer(String connectString) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 1000))
                .namespace(ZooKeeperEngineConfig.DEFAULT_NAMESPACE)
                .build();
        client.start();
        try {
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
                client.close();
                throw new IllegalStateException("observer could not connect to " + connectString);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IllegalStateException(e);
        }
        return client;
    }

    /** Deletes the holder's node (the lowest sequence) of the lock stored under the key. */
    static void forgetHolder(CuratorFramework observer, String key) throws Exception {
        String parent = LockPaths.parentOf(key);
        List<String> children = observer.getChildren().forPath(parent);
        String holder = children.stream()
                .filter(child -> LockPaths.sequenceOf(child).isPresent())
                .min(Comparator.comparingLong(
                        child -> LockPaths.sequenceOf(child).getAsLong()))
                .orElseThrow(() -> new IllegalStateException("no lock node under " + parent));
        observer.delete().forPath(parent + "/" + holder);
    }

    /** A dead holder's lock frees when the server expires its session: one session timeout, plus slack. */
    static Duration crashRecoveryBound(Duration sessionTimeout, Duration watchdogLease) {
        Duration longer = sessionTimeout.compareTo(watchdogLease) > 0 ? sessionTimeout : watchdogLease;
        return longer.plusSeconds(3);
    }
}
