package dev.globallock.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * One request to acquire a lock, as the manager hands it to the engine. Immutable.
 *
 * <p>The manager has already validated the name, applied the key prefix and defaults, and checked
 * the lease time against the engine's {@link dev.globallock.EngineCapabilities}.
 */
public final class AcquireRequest {
    private final String name;
    private final String key;
    private final Duration leaseTime;
    private final boolean watchdog;
    private final boolean singleAttempt;
    private final LeaseListener listener;
    private final boolean callerWaits;

    /**
     * @param name the application's lock name, for messages
     * @param key the prefixed key the engine stores the lock under
     * @param leaseTime how long the lease lasts from the moment of acquisition; for a watchdog
     *     lease this is the watchdog lease that renewals extend
     * @param watchdog whether the manager will renew this lease (true) or let it expire (false)
     * @param singleAttempt true for exactly one attempt (wait time zero)
     * @param listener where to report a lost or uncertain lease once acquired
     */
    public AcquireRequest(
            String name,
            String key,
            Duration leaseTime,
            boolean watchdog,
            boolean singleAttempt,
            LeaseListener listener) {
        this(name, key, leaseTime, watchdog, singleAttempt, listener, false);
    }

    /**
     * @param name the application's lock name, for messages
     * @param key the prefixed key the engine stores the lock under
     * @param leaseTime how long the lease lasts from the moment of acquisition; for a watchdog
     *     lease this is the watchdog lease that renewals extend
     * @param watchdog whether the manager will renew this lease (true) or let it expire (false)
     * @param singleAttempt true for exactly one attempt (wait time zero)
     * @param listener where to report a lost or uncertain lease once acquired
     * @param callerWaits see {@link #callerWaits()}
     */
    public AcquireRequest(
            String name,
            String key,
            Duration leaseTime,
            boolean watchdog,
            boolean singleAttempt,
            LeaseListener listener,
            boolean callerWaits) {
        this.name = Objects.requireNonNull(name, "name");
        this.key = Objects.requireNonNull(key, "key");
        this.leaseTime = Objects.requireNonNull(leaseTime, "leaseTime");
        this.watchdog = watchdog;
        this.singleAttempt = singleAttempt;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.callerWaits = callerWaits;
    }

    /** The application's lock name (without the prefix): use it in messages. */
    public String name() {
        return name;
    }

    /** The prefixed key: store the lock under it (escaped as the backend requires). */
    public String key() {
        return key;
    }

    /** The lease length: explicit, or the watchdog lease that renewals extend. */
    public Duration leaseTime() {
        return leaseTime;
    }

    /** Whether the manager's watchdog will renew this lease. */
    public boolean watchdog() {
        return watchdog;
    }

    /** Whether to make exactly one attempt and complete with {@code null} if the lock is taken. */
    public boolean singleAttempt() {
        return singleAttempt;
    }

    /** Where to report what happens to the lease after it was granted. */
    public LeaseListener listener() {
        return listener;
    }

    /**
     * A hint: true when the thread that called {@link LockEngine#acquire} blocks on the returned
     * future right after the call, with {@code get()} or {@code get(timeout)} (the manager's
     * {@code lock} and {@code tryLock}). An engine may then run the first blocking I/O of the
     * acquisition on that thread, inside its {@code get}, instead of handing it to an I/O thread
     * and waking the caller afterwards: one thread hand-over less per call. It must still honour
     * the timeout of {@code get(timeout)} and a cancellation. False for {@code lockAsync}, whose
     * caller goes on; an engine that ignores the hint is correct either way.
     */
    public boolean callerWaits() {
        return callerWaits;
    }

    @Override
    public String toString() {
        return "AcquireRequest{name='" + name + "', key='" + key + "', lease=" + leaseTime
                + (watchdog ? " (watchdog)" : "") + (singleAttempt ? ", single attempt" : "")
                + (callerWaits ? ", caller waits" : "") + "}";
    }
}
