/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import dev.globallock.bench.faults.History.Failure;
import dev.globallock.bench.faults.History.Fault;
import dev.globallock.bench.faults.History.Grant;
import dev.globallock.bench.faults.History.HoldId;
import dev.globallock.bench.faults.History.LostSignal;
import dev.globallock.bench.faults.History.Release;
import dev.globallock.bench.faults.History.Write;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The shared resource the workers protect, served by the coordinator on a loopback port, and the
 * recorder of everything the workers report.
 *
 * <p>The store is one register guarded by one lock: a write is decided and given its sequence
 * number under that lock, so the sequence is a linearization of all writes. A write whose token is
 * lower than the highest accepted one is rejected (fencing); every attempt is recorded with the
 * worker, the token, the outcome, and the times it was received and decided on the coordinator's
 * {@code nanoTime}.
 *
 * <p>Protocol: one line per message, space-separated, from worker to store. Requests that get a
 * one-line reply: {@code HELLO id pid nanos} ({@code OK}), {@code WRITE seq token phase
 * believedHeld checkedAt} ({@code ACCEPTED} or {@code REJECTED highest}), {@code NEXT} ({@code GO} or
 * {@code STOP}). Reports without reply: {@code ACQ seq token callStart acquired}, {@code FAIL
 * callStart at kind}, {@code LOST seq at state}, {@code RELEASING seq at}, {@code RELEASED seq
 * releasing released outcome}.
 *
 * <p>Thread-safe; one thread per connected worker (a handful).
 */
final class FencedStore implements AutoCloseable {

    private final ServerSocket server;
    private final boolean fencing;
    private final Thread acceptor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile boolean closed;

    // guarded by lock
    private long highestAccepted = Long.MIN_VALUE;
    private long order;
    private final List<Grant> grants = new ArrayList<>();
    private final List<Release> releases = new ArrayList<>();
    private final List<Write> writes = new ArrayList<>();
    private final List<LostSignal> lostSignals = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Map<Integer, HoldId> holding = new HashMap<>();
    private final Set<HoldId> begun = new HashSet<>();
    private final Set<HoldId> releasing = new HashSet<>();
    private final Map<Integer, Long> hellos = new HashMap<>();
    private final Set<Integer> disconnected = new HashSet<>();
    private final List<String> protocolErrors = new ArrayList<>();

    private FencedStore(ServerSocket server, boolean fencing) {
        this.server = server;
        this.fencing = fencing;
        this.acceptor = new Thread(this::acceptLoop, "fenced-store-acceptor");
        acceptor.setDaemon(true);
    }

    static FencedStore start() {
        return start(true);
    }

    /**
     * Starts the store; with {@code fencing} false it accepts every write, as a resource that does
     * not check tokens would (to show that the checker catches what fencing would have prevented).
     */
    static FencedStore start(boolean fencing) {
        try {
            ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            FencedStore store = new FencedStore(socket, fencing);
            store.acceptor.start();
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not open the fenced store's loopback port", e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Workers asking {@code NEXT} from now on are told to stop. */
    void requestStop() {
        stopping = true;
    }

    /** The worker's {@code nanoTime} at its handshake, once it said hello. */
    Optional<Long> hello(int worker) {
        return locked(() -> Optional.ofNullable(hellos.get(worker)));
    }

    /** Whether the worker's connection closed (it exited or was killed). */
    boolean disconnected(int worker) {
        return locked(() -> disconnected.contains(worker));
    }

    /** How many grants were reported so far. */
    int grantCount() {
        return locked(grants::size);
    }

    /**
     * The hold of a worker among {@code candidates} that holds the lock now (granted, release not
     * begun) and whose first write was answered: a holder in the middle of its work.
     */
    Optional<HoldId> workingHolder(Set<Integer> candidates) {
        return locked(() -> holding.entrySet().stream()
                .filter(e -> candidates.contains(e.getKey()) && begun.contains(e.getValue()))
                .map(Map.Entry::getValue)
                .findFirst());
    }

    /** Whether the worker announced the release of this hold ({@code RELEASING}). */
    boolean releaseBegun(HoldId hold) {
        return locked(() -> releasing.contains(hold));
    }

    /** The token of a hold, if it was granted. */
    Optional<Long> tokenOf(HoldId hold) {
        return locked(() -> grants.stream()
                .filter(g -> g.hold().equals(hold))
                .map(Grant::token)
                .findFirst());
    }

    List<String> protocolErrors() {
        return locked(() -> List.copyOf(protocolErrors));
    }

    History history(long leaseNanos, long start, long end, List<Fault> faults) {
        return locked(
                () -> new History(leaseNanos, start, end, grants, releases, writes, lostSignals, failures, faults));
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing a listening socket: nothing to do about it
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // the worker is gone anyway
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                sockets.add(socket);
                Thread handler = new Thread(() -> serve(socket), "fenced-store-" + socket.getPort());
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (!closed) {
                    locked(() -> protocolErrors.add("accept failed: " + e));
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        int worker = -1;
        try (socket;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter out =
                        new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long received = System.nanoTime();
                String[] f = line.split(" ");
                String reply = null;
                try {
                    if ("HELLO".equals(f[0])) {
                        worker = Integer.parseInt(f[1]);
                        int id = worker;
                        long nanos = Long.parseLong(f[3]);
                        locked(() -> hellos.put(id, nanos));
                        reply = "OK";
                    } else if (worker < 0) {
                        throw new IllegalArgumentException("no HELLO first");
                    } else {
                        reply = handle(worker, f, received);
                    }
                } catch (RuntimeException e) {
                    String problem = "worker " + worker + " sent '" + line + "': " + e;
                    locked(() -> protocolErrors.add(problem));
                }
                if (reply != null) {
                    out.write(reply);
                    out.write('\n');
                    out.flush();
                }
            }
        } catch (SocketException e) {
            // the worker was killed, or the store closed
        } catch (IOException e) {
            String problem = "connection of worker " + worker + " failed: " + e;
            locked(() -> protocolErrors.add(problem));
        } finally {
            sockets.remove(socket);
            int id = worker;
            if (id >= 0) {
                locked(() -> {
                    disconnected.add(id);
                    holding.remove(id);
                    return null;
                });
            }
        }
    }

    private String handle(int worker, String[] f, long received) {
        switch (f[0]) {
            case "WRITE":
                return write(worker, f, received);
            case "NEXT":
                return stopping ? "STOP" : "GO";
            case "ACQ": {
                HoldId hold = new HoldId(worker, Integer.parseInt(f[1]));
                Grant grant = new Grant(hold, Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
                locked(() -> {
                    grants.add(grant);
                    holding.put(worker, hold);
                    return null;
                });
                return null;
            }
            case "FAIL": {
                Failure failure = new Failure(worker, Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]);
                locked(() -> failures.add(failure));
                return null;
            }
            case "LOST": {
                LostSignal signal =
                        new LostSignal(new HoldId(worker, Integer.parseInt(f[1])), Long.parseLong(f[2]), f[3]);
                locked(() -> lostSignals.add(signal));
                return null;
            }
            case "RELEASING": {
                HoldId hold = new HoldId(worker, Integer.parseInt(f[1]));
                locked(() -> {
                    releasing.add(hold);
                    return holding.remove(worker, hold);
                });
                return null;
            }
            case "RELEASED": {
                Release release = new Release(
                        new HoldId(worker, Integer.parseInt(f[1])), Long.parseLong(f[2]), Long.parseLong(f[3]), f[4]);
                locked(() -> releases.add(release));
                return null;
            }
            default:
                throw new IllegalArgumentException("unknown message " + f[0]);
        }
    }

    private String write(int worker, String[] f, long received) {
        HoldId hold = new HoldId(worker, Integer.parseInt(f[1]));
        long token = Long.parseLong(f[2]);
        String phase = f[3];
        boolean believedHeld = Boolean.parseBoolean(f[4]);
        long checkedAt = Long.parseLong(f[5]);
        lock.lock();
        try {
            boolean accepted = !fencing || token >= highestAccepted;
            if (accepted) {
                highestAccepted = Math.max(highestAccepted, token);
                begun.add(hold);
            }
            long decided = System.nanoTime();
            writes.add(new Write(++order, hold, token, phase, believedHeld, checkedAt, received, decided, accepted));
            return accepted ? "ACCEPTED" : "REJECTED " + highestAccepted;
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
