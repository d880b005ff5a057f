/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockLostException;
import dev.globallock.LockOptions;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker JVM of the fault suite, started by {@link FaultSuite}'s coordinator with the same class
 * path. It loops: acquire the lock (bounded wait), write to the fenced store with its token, hold
 * for a random short time, write again, release, and reports every step to the coordinator with
 * its {@code nanoTime}. It stops when the coordinator answers {@code STOP} after a release.
 *
 * <pre>
 * FaultWorker --port P --id N --config engine.yaml --name LOCK --wait 10s --hold 20ms..200ms --seed S
 * </pre>
 */
public final class FaultWorker {

    private FaultWorker() {}

    public static void main(String[] args) throws IOException {
        int port = -1;
        int id = -1;
        Path config = null;
        String name = "fault-suite";
        Duration wait = Duration.ofSeconds(10);
        Duration holdMin = Duration.ofMillis(20);
        Duration holdMax = Duration.ofMillis(200);
        long seed = System.nanoTime();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--id" -> id = Integer.parseInt(args[++i]);
                case "--config" -> config = Path.of(args[++i]);
                case "--name" -> name = args[++i];
                case "--wait" -> wait = FaultSuite.duration("--wait", args[++i]);
                case "--hold" -> {
                    String[] range = args[++i].split("\\.\\.");
                    holdMin = FaultSuite.duration("--hold", range[0]);
                    holdMax = FaultSuite.duration("--hold", range[1]);
                }
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (port < 0 || id < 0 || config == null) {
            throw new IllegalArgumentException("--port, --id and --config are required");
        }
        Random random = new Random(seed);
        try (Link link = new Link(new Socket(InetAddress.getLoopbackAddress(), port))) {
            link.request("HELLO " + id + " " + ProcessHandle.current().pid() + " " + System.nanoTime());
            try (GlobalLockManager manager = GlobalLockManager.fromYaml(config)) {
                loop(link, manager, name, wait, holdMin, holdMax, random);
            }
        }
    }

    private static void loop(
            Link link,
            GlobalLockManager manager,
            String name,
            Duration wait,
            Duration holdMin,
            Duration holdMax,
            Random random) {
        LockOptions options = LockOptions.builder().waitTime(wait).build();
        long holdSpan = holdMax.toNanos() - holdMin.toNanos();
        for (int seq = 1; ; seq++) {
            long callStart = System.nanoTime();
            LockHandle handle;
            try {
                handle = manager.lock(name, options);
            } catch (RuntimeException e) {
                long at = System.nanoTime();
                link.send("FAIL " + callStart + " " + at + " " + e.getClass().getSimpleName());
                System.err.println("worker: attempt " + seq + " failed: " + e);
                if ("STOP".equals(link.request("NEXT"))) {
                    return;
                }
                // a failure that comes at once (no quorum, server down) would spin: pace the retries
                sleep(Duration.ofMillis(100));
                continue;
            }
            long acquired = System.nanoTime();
            int s = seq;
            link.send("ACQ " + seq + " " + handle.fencingToken() + " " + callStart + " " + acquired);
            handle.onLost(() -> link.send("LOST " + s + " " + System.nanoTime() + " " + handle.state()));
            write(link, handle, seq, "begin");
            sleep(Duration.ofNanos(holdMin.toNanos() + (holdSpan <= 0 ? 0 : (long) (random.nextDouble() * holdSpan))));
            write(link, handle, seq, "end");
            long releasing = System.nanoTime();
            link.send("RELEASING " + seq + " " + releasing);
            String outcome;
            try {
                handle.release();
                outcome = "ok";
            } catch (LockLostException e) {
                outcome = "lost";
            } catch (RuntimeException e) {
                outcome = "error:" + e.getClass().getSimpleName();
                System.err.println("worker: release of attempt " + seq + " failed: " + e);
            }
            link.send("RELEASED " + seq + " " + releasing + " " + System.nanoTime() + " " + outcome);
            if ("STOP".equals(link.request("NEXT"))) {
                return;
            }
        }
    }

    private static void write(Link link, LockHandle handle, int seq, String phase) {
        boolean believed = handle.isLocked();
        long checkedAt = System.nanoTime();
        String reply = link.request(
                "WRITE " + seq + " " + handle.fencingToken() + " " + phase + " " + believed + " " + checkedAt);
        if (!reply.startsWith("ACCEPTED")) {
            System.err.println("worker: " + phase + " write of attempt " + seq + " with token " + handle.fencingToken()
                    + " (isLocked " + believed + ") was fenced: " + reply);
        }
    }

    /** Holding the lock for a while is the work being simulated; this is not a wait for a condition. */
    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The connection to the coordinator. Sends are serialized by a lock (the lost-lease listener
     * sends from the manager's thread); only the main thread sends requests and reads their replies.
     */
    private static final class Link implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final BufferedWriter out;
        private final ReentrantLock sending = new ReentrantLock();

        Link(Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
        }

        void send(String line) {
            sending.lock();
            try {
                out.write(line);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("the coordinator is gone", e);
            } finally {
                sending.unlock();
            }
        }

        String request(String line) {
            send(line);
            try {
                String reply = in.readLine();
                if (reply == null) {
                    throw new IOException("connection closed");
                }
                return reply;
            } catch (IOException e) {
                throw new UncheckedIOException("the coordinator is gone", e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
