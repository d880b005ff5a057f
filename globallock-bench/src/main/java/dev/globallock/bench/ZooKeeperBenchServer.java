/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.tck.fixture.ZooKeeperServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ZooKeeper server the benchmark runs against: Debian's ZooKeeper 3.8 in its own JVM. By
 * default it is started here with {@code forceSync=yes}, so every write is fsync'd as in
 * production (the test fixture turns fsync off, which makes writes nearly free and hides what a
 * lock protocol's writes cost); {@code --no-fsync} uses the test fixture instead.
 */
final class ZooKeeperBenchServer implements AutoCloseable {
    private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    private static final List<String> CLASSPATH =
            List.of("/usr/share/java/zookeeper.jar", "/usr/share/java/slf4j-simple.jar");

    private final String connectString;
    private final String description;
    private final Process process;
    private final Path dataDir;
    private final ZooKeeperServer fixture;

    private ZooKeeperBenchServer(
            String connectString, String description, Process process, Path dataDir, ZooKeeperServer fixture) {
        this.connectString = connectString;
        this.description = description;
        this.process = process;
        this.dataDir = dataDir;
        this.fixture = fixture;
    }

    static ZooKeeperBenchServer start(boolean fsync) throws IOException, InterruptedException {
        if (!fsync) {
            ZooKeeperServer server = ZooKeeperServer.start();
            return new ZooKeeperBenchServer(
                    server.connectString(), "Debian ZooKeeper 3.8 (test fixture, forceSync=no)", null, null, server);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("zookeeper-bench-");
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "tickTime=2000",
                        "initLimit=10",
                        "syncLimit=5",
                        "dataDir=" + dir.resolve("data"),
                        "clientPort=" + port,
                        "clientPortAddress=127.0.0.1",
                        "maxClientCnxns=0",
                        "admin.enableServer=false",
                        "4lw.commands.whitelist=*",
                        "forceSync=yes",
                        ""));
        String classpath = String.join(
                ":",
                CLASSPATH.stream().filter(p -> Files.isRegularFile(Path.of(p))).toList());
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xms64m",
                        "-Xmx512m",
                        "-Dzookeeper.admin.enableServer=false",
                        "-cp",
                        classpath,
                        MAIN,
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!srvr(port).contains("Mode:")) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException("the ZooKeeper server did not start; see " + dir.resolve("server.log"));
            }
            Thread.sleep(100);
        }
        return new ZooKeeperBenchServer(
                "127.0.0.1:" + port,
                "Debian ZooKeeper 3.8 (own JVM, forceSync=yes, data in " + dir.getParent() + ")",
                process,
                dir,
                null);
    }

    private static String srvr(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String connectString() {
        return connectString;
    }

    String description() {
        return description;
    }

    @Override
    public void close() {
        if (fixture != null) {
            fixture.close();
        }
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a temp dir: left for the OS to clean
            }
        }
    }
}
