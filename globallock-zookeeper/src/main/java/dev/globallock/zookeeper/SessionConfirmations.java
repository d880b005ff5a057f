/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Ticker;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;

/**
 * When the server last confirmed the session: a lock lives as long as its session, so this is what a
 * grant's lease counts from ({@link ZooKeeperGrant#leaseConfirmedAtNanos()}). Every answered
 * request of the engine on a session (a create, a renewal's read) records its send time, on the
 * manager's ticker. While acquisitions wait, a probe keeps it recent ({@link #probeIfStale()}).
 * Thread-safe.
 */
final class SessionConfirmations {
    private static final System.Logger LOG = System.getLogger(SessionConfirmations.class.getName());

    /** Probes per session timeout while waiting. */
    private static final int PROBES_PER_SESSION_TIMEOUT = 6;

    /**
     * A request sent at {@code atNanos} on session {@code sessionId} was answered, so the server
     * kept the session at least until one session timeout after that.
     */
    private record Confirmed(long sessionId, long atNanos) {}

    private final Connection connection;
    /** Whether acquisitions wait: only then does the probe read. */
    private final BooleanSupplier waiting;

    private final AtomicReference<Confirmed> last = new AtomicReference<>();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile Ticker ticker = Ticker.system();
    private volatile long probePeriodNanos;
    private volatile ScheduledFuture<?> probeTask;

    SessionConfirmations(Connection connection, BooleanSupplier waiting) {
        this.connection = connection;
        this.waiting = waiting;
    }

    /** Takes the manager's ticker and probes every sixth of the session timeout. */
    void start(Ticker ticker, ScheduledExecutorService scheduler, Duration sessionTimeout) {
        this.ticker = ticker;
        long period = sessionTimeout.toNanos() / PROBES_PER_SESSION_TIMEOUT;
        this.probePeriodNanos = period;
        this.probeTask = scheduler.scheduleAtFixedRate(this::probeIfStale, period, period, TimeUnit.NANOSECONDS);
    }

    void stop() {
        ScheduledFuture<?> probe = probeTask;
        if (probe != null) {
            probe.cancel(false);
        }
    }

    /** The manager's ticker, for the send times of requests. */
    long now() {
        return ticker.read();
    }

    /**
     * Records that a request sent at {@code sentAtNanos} on the session was answered, and returns
     * when the session was last confirmed: that time, or a later confirmation (a renewal, a probe).
     */
    long confirmed(long sessionId, long sentAtNanos) {
        Confirmed next = new Confirmed(sessionId, sentAtNanos);
        while (true) {
            Confirmed now = last.get();
            if (now != null && now.sessionId == sessionId && now.atNanos - sentAtNanos >= 0) {
                break;
            }
            if (last.compareAndSet(now, next)) {
                break;
            }
        }
        return confirmedAt(sessionId, sentAtNanos);
    }

    /** When the session was last confirmed, or {@code orElse} if that is later or unknown for this session. */
    private long confirmedAt(long sessionId, long orElse) {
        Confirmed now = last.get();
        return now != null && now.sessionId == sessionId && now.atNanos - orElse > 0 ? now.atNanos : orElse;
    }

    /**
     * While acquisitions wait, one cheap read ({@code exists("/")}) whenever the session went a
     * sixth of its timeout without a confirmed request. A waiter granted by a watch event (no
     * request of its own) counts its lease from the session's last confirmation, which must then
     * be recent: ZooKeeper's own pings keep the session alive but tell the engine nothing. Held
     * locks are confirmed by the watchdog's renewals.
     */
    void probeIfStale() {
        if (!waiting.getAsBoolean() || !connection.connected() || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            ZooKeeper zk = connection.zooKeeper();
            long session = zk.getSessionId();
            long now = ticker.read();
            long period = probePeriodNanos;
            if (now - confirmedAt(session, now - period) < period) {
                probing.set(false);
                return;
            }
            zk.exists(
                    "/",
                    false,
                    (rc, path, ctx, stat) -> {
                        if (rc == Code.OK.intValue()) {
                            confirmed(session, now);
                        }
                        probing.set(false);
                    },
                    null);
        } catch (Exception e) {
            probing.set(false);
            LOG.log(Level.DEBUG, () -> "could not probe the ZooKeeper session: " + e);
        }
    }
}
