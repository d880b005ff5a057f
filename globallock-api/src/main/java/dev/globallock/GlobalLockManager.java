package dev.globallock;

import dev.globallock.spi.AcquireRequest;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.EngineContext;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;
import dev.globallock.spi.LockGrant;
import dev.globallock.spi.LockInspector;
import dev.globallock.spi.support.CallerRunsFuture;
import java.io.Reader;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The one entry point applications use: named, distributed locks over whichever engine the
 * configuration picks. Thread-safe; create one per application and backend, and close it at
 * shutdown (closing releases what it still holds).
 *
 * <pre>{@code
 * try (GlobalLockManager locks = GlobalLockManager.fromYaml(Path.of("globallock.yaml"));
 *      LockHandle lock = locks.lock("nightly-report")) {
 *     runReport(lock.fencingToken());
 * }
 * }</pre>
 *
 * <p>Reentrancy: the same thread acquiring a name it already holds through the same manager gets a
 * new handle on the same lease at once, without a round trip; the lease is released when the last
 * of those handles is closed. Locks acquired with {@link #lockAsync} belong to no thread and are
 * not reentrant.
 *
 * <p>Blocking: {@link #lock} and {@link #tryLock} block up to the wait time (never longer: every
 * wait is bounded by the wait time, or by {@code operation-timeout} for a single attempt), are
 * interruptible, and leave nothing behind on the backend when they give up. A thread whose
 * interrupt flag is already set gets {@link LockInterruptedException} from them at once, with the
 * flag kept and nothing sent to the backend (reentrant acquisitions included); {@link #lockAsync}
 * does not look at the flag, since it does not block. Releasing a handle is not interruptible: it
 * releases on the backend whatever the flag says, bounded by {@code operation-timeout}, and leaves
 * the flag as it found it.
 *
 * <p>Exceptions: every run-time failure is an unchecked {@link GlobalLockException} (timeout,
 * backend, configuration, lost lease, interrupt, a checked exception of a {@code withLock} task);
 * programming errors follow the Java convention: {@link NullPointerException} for a null argument,
 * {@link IllegalArgumentException} for an invalid name, prefix or option, {@link
 * IllegalStateException} for a closed manager or a handle used out of sequence. {@link
 * GlobalLockException} lists them.
 */
public final class GlobalLockManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GlobalLockManager.class.getName());
    private static final AtomicInteger SCHEDULER_IDS = new AtomicInteger();

    private final LockEngine engine;
    private final EngineCapabilities capabilities;
    private final ManagerSettings settings;
    /** The watchdog lease in force: configured, or the engine's session timeout, or 30 s; see resolve. */
    private final Duration watchdogLease;

    private final Ticker ticker;
    private final LockEventListener events;
    /** False when nobody listens: the hot path then skips building the events. */
    private final boolean hasEvents;

    private final ScheduledThreadPoolExecutor scheduler;
    private final Watchdog watchdog;
    private final Set<HeldLock> active = ConcurrentHashMap.newKeySet();
    private final Map<ThreadKey, HeldLock> reentrant = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<LockGrant>> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private GlobalLockManager(LockEngine engine, ManagerSettings settings, Ticker ticker, LockEventListener events) {
        this.engine = engine;
        this.events = SafeLockEventListener.wrap(events);
        this.hasEvents = this.events != SafeLockEventListener.NONE;
        this.capabilities = Objects.requireNonNull(engine.capabilities(), "engine capabilities");
        this.settings = settings;
        this.ticker = ticker;
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "globallock-" + engine.name() + "-" + SCHEDULER_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.watchdogLease = watchdogLease(settings.watchdogLease, capabilities, engine.name());
        this.watchdog = new Watchdog(engine, ticker, () -> active, watchdogLease.toNanos());
        checkDefaults();
        engine.start(new EngineContext() {
            @Override
            public ScheduledExecutorService scheduler() {
                return scheduler;
            }

            @Override
            public Ticker ticker() {
                return ticker;
            }
        });
        watchdog.start(scheduler);
    }

    // ----------------------------------------------------------------------------- factories

    /**
     * A manager configured by a map of the same shape as the YAML configuration ({@code engine},
     * {@code key-prefix}, {@code defaults}, {@code watchdog}, one section per engine).
     *
     * @throws LockConfigException listing every problem in the configuration
     * @throws LockBackendException if the engine connects eagerly and cannot
     */
    public static GlobalLockManager create(Map<String, ?> config) {
        return builder().config(config).build();
    }

    /** A manager configured by a YAML file; see {@link #create(Map)}. */
    public static GlobalLockManager fromYaml(Path file) {
        return builder().yaml(file).build();
    }

    /** A manager configured by YAML text; see {@link #create(Map)}. The reader is not closed. */
    public static GlobalLockManager fromYaml(Reader yaml) {
        return builder().config(ConfigLoader.readYaml(yaml, "the YAML reader")).build();
    }

    /**
     * A manager on the in-JVM {@code memory} engine: every in-memory manager of this JVM shares one
     * lock table, so two of them contend like two processes would.
     */
    public static GlobalLockManager inMemory() {
        return create(Map.of("engine", "memory"));
    }

    /** A builder: from configuration, or from an engine instance you created yourself. */
    public static Builder builder() {
        return new Builder();
    }

    /** The engines found on the class path: provider name to description. */
    public static Map<String, String> availableEngines() {
        Map<String, String> engines = new LinkedHashMap<>();
        EngineProviders.load(GlobalLockManager.class.getClassLoader())
                .all()
                .forEach((name, provider) -> engines.put(name, provider.description()));
        return engines;
    }

    /**
     * What every engine of the named provider supports, as the provider declares it, without
     * opening an engine or connecting (an opened engine may narrow it: see {@link
     * LockEngineProvider#capabilities()}). Empty when no engine of that name is on the class path.
     */
    public static Optional<EngineCapabilities> engineCapabilities(String engineName) {
        Objects.requireNonNull(engineName, "engineName");
        LockEngineProvider provider =
                EngineProviders.load(GlobalLockManager.class.getClassLoader()).find(engineName);
        return provider == null ? Optional.empty() : Optional.of(provider.capabilities());
    }

    // ----------------------------------------------------------------------------- acquiring

    /**
     * Acquires the lock with the manager's defaults, waiting up to the default wait time.
     *
     * @throws LockTimeoutException when not acquired within the wait time
     * @throws LockInterruptedException when interrupted while waiting (the flag is set again), or at
     *     once, sending nothing, when the thread's interrupt flag was already set
     * @throws LockBackendException when the backend fails
     * @throws IllegalArgumentException for an invalid name
     */
    public LockHandle lock(String name) {
        return lock(name, LockOptions.defaults());
    }

    /** Acquires the lock, waiting up to the options' wait time; see {@link #lock(String)}. */
    public LockHandle lock(String name, LockOptions options) {
        return acquireBlocking(name, options, true);
    }

    /** One attempt: returns a handle whose {@link LockHandle#isLocked()} says whether it was acquired. */
    public LockHandle tryLock(String name) {
        return tryLock(name, LockOptions.builder().noWait().build());
    }

    /**
     * Like {@link #lock(String, LockOptions)} but returns an unacquired handle instead of throwing
     * {@link LockTimeoutException}.
     */
    public LockHandle tryLock(String name, LockOptions options) {
        return acquireBlocking(name, options, false);
    }

    /** {@link #tryLock(String, LockOptions)} with a wait time and a lease time. */
    public LockHandle tryLock(String name, Duration waitTime, Duration leaseTime) {
        return tryLock(
                name,
                LockOptions.builder().waitTime(waitTime).leaseTime(leaseTime).build());
    }

    /**
     * Acquires without blocking the caller. The future completes with the handle when acquired, or
     * exceptionally with {@link LockTimeoutException} when the wait time passes (a single attempt
     * that finds the lock taken fails the same way). Cancelling the future abandons the wait and
     * leaves nothing behind on the backend. The handle belongs to no thread: it is not reentrant.
     */
    public CompletableFuture<LockHandle> lockAsync(String name, LockOptions options) {
        Objects.requireNonNull(options, "options");
        Attempt attempt = prepare(name, options, null);
        CompletableFuture<LockHandle> result = new CompletableFuture<>();
        CompletableFuture<LockGrant> acquiring = attempt.send();
        CallerRunsFuture.dispatch(acquiring); // nobody blocks on it: the engine's work starts now
        acquiring.whenComplete((grant, failure) -> pending.remove(acquiring));
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timer = null;
        Duration bound = attempt.waitTime == null
                ? null
                : attempt.waitTime.isZero() ? settings.operationTimeout : attempt.waitTime;
        if (bound != null) {
            timer = scheduler.schedule(
                    () -> {
                        timedOut.set(true);
                        acquiring.cancel(false);
                    },
                    Math.max(0, bound.toNanos() - attempt.waited().toNanos()), // counted from the call
                    TimeUnit.NANOSECONDS);
        }
        ScheduledFuture<?> timerToCancel = timer;
        result.whenComplete((handle, failure) -> {
            if (result.isCancelled()) {
                acquiring.cancel(false);
            }
        });
        acquiring.whenComplete((grant, failure) -> {
            if (timerToCancel != null) {
                timerToCancel.cancel(false);
            }
            if (failure != null) {
                Throwable cause = unwrap(failure);
                if (cause instanceof CancellationException) {
                    LockBackendException unreachable = timedOut.get() ? unreachableAfterWait(attempt) : null;
                    if (timedOut.get() && unreachable == null) {
                        events.notAcquired(name, attempt.waited());
                    }
                    result.completeExceptionally(
                            unreachable != null
                                    ? unreachable
                                    : timedOut.get()
                                            ? timeoutFor(attempt)
                                            : new CancellationException("lock '" + name + "' cancelled"));
                } else {
                    result.completeExceptionally(translate(cause, name, "acquire"));
                }
            } else if (grant == null) {
                events.notAcquired(name, attempt.waited());
                result.completeExceptionally(new LockTimeoutException(name, Duration.ZERO));
            } else {
                ManagedLockHandle handle = attempt.activate(grant);
                if (!result.complete(handle)) {
                    releaseHoldAsync(handle.lease());
                }
            }
        });
        return result;
    }

    /**
     * Runs {@code body} while holding the lock, then releases it. Unchecked exceptions and errors
     * from the body are rethrown as they are; checked ones are wrapped in {@link
     * LockedTaskException}.
     *
     * @throws LockLostException if the lease was lost while the body ran (its result is discarded)
     * @throws LockTimeoutException when not acquired within the wait time
     */
    public <T> T withLock(String name, LockOptions options, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        try (LockHandle handle = lock(name, options)) {
            T result = body.call();
            if (!handle.isLocked()) {
                throw new LockLostException(
                        name, "the lease of lock '" + name + "' was lost (" + handle.state() + ") while the task ran");
            }
            return result;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new LockedTaskException(name, e);
        }
    }

    /** {@link #withLock(String, LockOptions, Callable)} for a body without a result. */
    public void withLock(String name, LockOptions options, Runnable body) {
        Objects.requireNonNull(body, "body");
        withLock(name, options, () -> {
            body.run();
            return null;
        });
    }

    /**
     * A thread-owned {@link Lock} view of one name, for code written against {@code
     * java.util.concurrent.locks}. {@code lock()} waits forever, {@code unlock()} must be called by
     * the thread that locked, and {@code newCondition()} is not supported.
     */
    public Lock asLock(String name) {
        keyFor(name);
        return new ThreadOwnedLock(this, name);
    }

    /**
     * What the backend says about the lock right now, without taking it. Empty when the engine
     * cannot inspect locks.
     */
    public Optional<LockInfo> inspect(String name) {
        String key = keyFor(name);
        Optional<LockInspector> inspector = engine.inspector();
        if (inspector.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(await(inspector.get().inspect(name, key), name, "inspect"));
    }

    /** The engine's provider name, such as {@code redis}. */
    public String engineName() {
        return engine.name();
    }

    /** What the engine supports. */
    public EngineCapabilities capabilities() {
        return capabilities;
    }

    /**
     * Releases every lock this manager holds (best effort, bounded by the operation timeout),
     * abandons pending waits, stops the watchdog and closes the engine. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (CompletableFuture<LockGrant> waiting : List.copyOf(pending)) {
            waiting.cancel(false);
        }
        watchdog.stop();
        List<CompletableFuture<Void>> releases = new ArrayList<>();
        for (HeldLock lease : List.copyOf(active)) {
            LockGrant grant = lease.grant();
            lease.forceReleased();
            active.remove(lease);
            if (grant != null) {
                releases.add(CallerRunsFuture.dispatch(engine.release(grant)));
            }
        }
        reentrant.clear();
        try {
            CompletableFuture.allOf(releases.toArray(new CompletableFuture<?>[0]))
                    .get(settings.operationTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(
                    Level.WARNING,
                    () -> "not every lock was released while closing the " + engine.name()
                            + " lock manager; their leases end by themselves: " + e);
        } finally {
            scheduler.shutdownNow();
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "GlobalLockManager{engine=" + engine.name() + ", endpoint=" + engine.describeEndpoint() + ", held="
                + active.size() + (closed.get() ? ", closed" : "") + "}";
    }

    // ----------------------------------------------------------------------------- internals

    private LockHandle acquireBlocking(String name, LockOptions options, boolean throwOnTimeout) {
        Objects.requireNonNull(options, "options");
        Thread thread = Thread.currentThread();
        Attempt attempt = prepare(name, options, thread);
        if (thread.isInterrupted()) {
            // as lockInterruptibly: an interrupted thread does not start a wait, not even a reentrant one
            throw new LockInterruptedException("thread '" + thread.getName() + "' was interrupted before it asked"
                    + " for lock '" + name + "' (its interrupt flag was set, and is kept): nothing was sent to engine '"
                    + engine.name() + "'");
        }
        HeldLock existing = reentrant.get(attempt.threadKey);
        if (existing != null) {
            if (existing.tryReenter()) {
                if (hasEvents) {
                    events.acquired(name, Duration.ZERO, true);
                }
                return new ManagedLockHandle(this, existing);
            }
            reentrant.remove(attempt.threadKey, existing);
        }
        CompletableFuture<LockGrant> acquiring = attempt.send();
        LockGrant grant;
        try {
            try {
                if (attempt.waitTime == null) {
                    grant = acquiring.get();
                } else {
                    Duration bound = attempt.waitTime.isZero() ? settings.operationTimeout : attempt.waitTime;
                    // counted from the call: time the engine took to take the request is part of the wait
                    grant = acquiring.get(
                            Math.max(0, bound.toNanos() - attempt.waited().toNanos()), TimeUnit.NANOSECONDS);
                }
            } finally {
                // this thread waited on it, so it removes it: no dependent stage per acquisition (with some
                // engines' futures that stage would be a task on a pool, one more thread wake-up); a close()
                // meanwhile found it in the set and cancelled it
                pending.remove(acquiring);
            }
        } catch (TimeoutException e) {
            if (acquiring.cancel(false)) {
                if (attempt.waitTime.isZero()) {
                    throw new LockBackendException("engine '" + engine.name() + "' at " + engine.describeEndpoint()
                            + " did not answer an attempt on lock '" + name + "' within the operation timeout of "
                            + Durations.format(settings.operationTimeout));
                }
                LockBackendException unreachable = unreachableAfterWait(attempt);
                if (unreachable != null) {
                    throw unreachable;
                }
                events.notAcquired(name, attempt.waited());
                if (throwOnTimeout) {
                    throw timeoutFor(attempt);
                }
                return new UnacquiredLockHandle(name);
            }
            grant = acquiring.join();
        } catch (InterruptedException e) {
            if (!acquiring.cancel(false)) {
                LockGrant late = acquiring.getNow(null);
                if (late != null) {
                    CallerRunsFuture.dispatch(engine.release(late));
                }
            }
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(name, e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), name, "acquire");
        } catch (CancellationException e) {
            throw closedException(name);
        }
        if (grant == null) {
            events.notAcquired(name, attempt.waited());
            if (throwOnTimeout) {
                throw new LockTimeoutException(name, Duration.ZERO);
            }
            return new UnacquiredLockHandle(name);
        }
        ManagedLockHandle handle = attempt.activate(grant);
        reentrant.put(attempt.threadKey, handle.lease());
        return handle;
    }

    /** Validates and resolves one request; nothing is sent yet. */
    private Attempt prepare(String name, LockOptions options, Thread thread) {
        String key = keyFor(name);
        Duration waitTime = options.waitsForever()
                ? null
                : options.usesDefaultWait()
                        ? settings.defaultWaitTime
                        : options.waitTime().orElseThrow();
        Duration explicitLease = options.leaseTime().orElse(settings.defaultLeaseTime);
        if (explicitLease != null) {
            checkLease(name, explicitLease);
        }
        return new Attempt(name, key, waitTime, explicitLease, thread);
    }

    private void checkLease(String name, Duration lease) {
        if (!capabilities.has(Capability.LEASE_TIME)) {
            throw new IllegalArgumentException("engine '" + engine.name() + "' cannot honour a lease time ("
                    + Durations.format(lease) + " for lock '" + name + "'): its locks last as long as the holder's"
                    + " session; leave the lease time out to get a lease that ends when the holder dies");
        }
        if (lease.compareTo(capabilities.minimumLeaseTime()) < 0) {
            throw new IllegalArgumentException("lease time " + Durations.format(lease) + " for lock '" + name
                    + "' is shorter than engine '" + engine.name() + "' supports (at least "
                    + Durations.format(capabilities.minimumLeaseTime()) + ")");
        }
    }

    /**
     * The watchdog lease in force. Configured ({@code watchdog.lease} or the builder), or else the
     * engine's session timeout where its locks live as long as a session ({@link
     * EngineCapabilities#sessionTimeout()}), or else 30 s. A configured lease longer than such a
     * session is shortened to it: the session decides how long a lock outlives its holder's last
     * confirmation, so the holder's deadline and renewals must follow it.
     */
    private static Duration watchdogLease(Duration configured, EngineCapabilities capabilities, String engineName) {
        Optional<Duration> session = capabilities.sessionTimeout();
        if (configured == null) {
            return session.orElse(ManagerSettings.DEFAULT_WATCHDOG_LEASE);
        }
        if (session.isPresent() && configured.compareTo(session.get()) > 0) {
            LOG.log(
                    Level.WARNING,
                    () -> "watchdog.lease was '" + Durations.format(configured) + "' but engine '" + engineName
                            + "' keeps a lock only as long as its session, which the server ends "
                            + Durations.format(session.get()) + " after it last heard from the holder: the lease"
                            + " counts as " + Durations.format(session.get()) + " (leave watchdog.lease out to"
                            + " follow the session timeout)");
            return session.get();
        }
        return configured;
    }

    private void checkDefaults() {
        if (settings.defaultLeaseTime != null && !capabilities.has(Capability.LEASE_TIME)) {
            throw new LockConfigException(
                    List.of("defaults.lease-time was '" + Durations.format(settings.defaultLeaseTime) + "' but engine '"
                            + engine.name() + "' cannot honour lease times: leave it out"));
        }
        if (settings.defaultLeaseTime != null
                && settings.defaultLeaseTime.compareTo(capabilities.minimumLeaseTime()) < 0) {
            throw new LockConfigException(
                    List.of("defaults.lease-time was '" + Durations.format(settings.defaultLeaseTime)
                            + "' but engine '" + engine.name() + "' needs at least "
                            + Durations.format(capabilities.minimumLeaseTime())));
        }
        if (watchdogLease.compareTo(capabilities.minimumLeaseTime()) < 0) {
            throw new LockConfigException(List.of("watchdog.lease was '" + Durations.format(watchdogLease)
                    + "' but engine '" + engine.name() + "' needs at least "
                    + Durations.format(capabilities.minimumLeaseTime())));
        }
    }

    /** Validates a lock name and returns its prefixed key. */
    String keyFor(String name) {
        Objects.requireNonNull(name, "lock name");
        if (closed.get()) {
            throw closedException(name);
        }
        LockNames.check(name, settings.keyPrefix, capabilities.maximumKeyBytes(), engine.name());
        return settings.keyPrefix.isEmpty() ? name : settings.keyPrefix + name;
    }

    private IllegalStateException closedException(String name) {
        return new IllegalStateException("the " + engine.name() + " lock manager is closed (lock '" + name + "')");
    }

    /**
     * A wait that ended without the lock while the engine knows its backend to be unreachable was
     * not a busy lock: the failure to report, or null when the engine knows of no problem.
     */
    private LockBackendException unreachableAfterWait(Attempt attempt) {
        Optional<LockBackendException> problem;
        try {
            problem = engine.connectionProblem();
        } catch (RuntimeException e) {
            return null;
        }
        if (problem == null || problem.isEmpty()) {
            return null;
        }
        LockBackendException cause = problem.get();
        return new LockBackendException(
                "lock '" + attempt.name + "' was not acquired within "
                        + Durations.format(attempt.waitTime.isZero() ? settings.operationTimeout : attempt.waitTime)
                        + " because engine '" + engine.name() + "' at " + engine.describeEndpoint()
                        + " could not be reached: " + cause.getMessage(),
                cause);
    }

    private LockTimeoutException timeoutFor(Attempt attempt) {
        return new LockTimeoutException(
                attempt.name, attempt.waitTime.isZero() ? settings.operationTimeout : attempt.waitTime);
    }

    /** Drops one hold of a lease; releases it on the backend when it was the last. */
    void releaseHold(HeldLock lease, boolean reportLoss) {
        LockState before = lease.releaseOne();
        if (before == null) {
            return;
        }
        forget(lease);
        if (hasEvents) {
            events.released(lease.name, Duration.ofNanos(ticker.read() - lease.grantedAtNanos()));
        }
        LockGrant grant = lease.grant();
        // A release goes through whatever the thread's interrupt flag says: it is short, bounded by
        // the operation timeout, and an interrupted thread must not leave its lock held until the
        // lease runs out. The flag is cleared meanwhile (an engine may run the release's I/O on this
        // thread) and set again afterwards, also if an interrupt arrived during the release.
        boolean interrupted = Thread.interrupted();
        try {
            interrupted |= awaitUninterruptibly(engine.release(grant), lease.name, "release");
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (reportLoss && !before.isLocked()) {
            throw new LockLostException(
                    lease.name,
                    "lock '" + lease.name + "' was " + before.name().toLowerCase(java.util.Locale.ROOT)
                            + " before it was released: the work done under it since then was not protected");
        }
    }

    private void releaseHoldAsync(HeldLock lease) {
        if (lease.releaseOne() != null) {
            forget(lease);
            if (hasEvents) {
                events.released(lease.name, Duration.ofNanos(ticker.read() - lease.grantedAtNanos()));
            }
            CallerRunsFuture.dispatch(engine.release(lease.grant()));
        }
    }

    private void forget(HeldLock lease) {
        active.remove(lease);
        if (lease.reentrancyKey != null) {
            reentrant.remove(lease.reentrancyKey, lease);
        }
    }

    private <T> T await(CompletableFuture<T> future, String name, String operation) {
        try {
            return future.get(settings.operationTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(name, e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), name, operation);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new LockBackendException("engine '" + engine.name() + "' at " + engine.describeEndpoint()
                    + " did not answer the " + operation + " of lock '" + name + "' within the operation timeout of "
                    + Durations.format(settings.operationTimeout));
        }
    }

    /**
     * {@link #await} that goes on waiting through interrupts, up to the operation timeout in all;
     * returns whether it was interrupted, for the caller to set the flag again.
     */
    private boolean awaitUninterruptibly(CompletableFuture<?> future, String name, String operation) {
        boolean interrupted = false;
        long bound = settings.operationTimeout.toNanos();
        long start = ticker.read();
        long timeout = bound;
        while (true) {
            try {
                future.get(timeout, TimeUnit.NANOSECONDS);
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
                timeout = Math.max(0, bound - (ticker.read() - start));
            } catch (ExecutionException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw translate(e.getCause(), name, operation);
            } catch (TimeoutException e) {
                future.cancel(false);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw new LockBackendException("engine '" + engine.name() + "' at " + engine.describeEndpoint()
                        + " did not answer the " + operation + " of lock '" + name
                        + "' within the operation timeout of "
                        + Durations.format(settings.operationTimeout));
            }
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** An engine failure as an exception that carries the caller's stack and names the lock. */
    private GlobalLockException translate(Throwable failure, String name, String operation) {
        Throwable cause = unwrap(failure);
        if (cause instanceof LockBackendException) {
            return new LockBackendException(cause.getMessage(), cause);
        }
        if (cause instanceof LockLostException) {
            return new LockLostException(name, cause.getMessage(), cause);
        }
        if (cause instanceof GlobalLockException) {
            return (GlobalLockException) cause;
        }
        return new LockBackendException(
                "engine '" + engine.name() + "' at " + engine.describeEndpoint() + " failed to " + operation + " lock '"
                        + name + "': " + cause,
                cause);
    }

    /** One acquisition being made: its resolved options and the lease it will become. */
    private final class Attempt {
        final String name;
        final Duration waitTime;
        final HeldLock lease;
        final ThreadKey threadKey;
        final AcquireRequest request;
        long sentAtNanos;

        Attempt(String name, String key, Duration waitTime, Duration explicitLease, Thread thread) {
            this.name = name;
            this.waitTime = waitTime;
            boolean watchdogLease = explicitLease == null;
            Duration leaseTime = watchdogLease ? GlobalLockManager.this.watchdogLease : explicitLease;
            this.threadKey = thread == null ? null : new ThreadKey(thread, key);
            this.lease =
                    new HeldLock(name, key, watchdogLease, leaseTime.toNanos(), thread, threadKey, ticker, scheduler);
            AcquireRequest.Builder builder =
                    AcquireRequest.builder().name(name).key(key).listener(lease);
            if (watchdogLease) {
                builder.watchdogLease(leaseTime);
            } else {
                builder.leaseTime(leaseTime);
            }
            if (waitTime != null && waitTime.isZero()) {
                builder.singleAttempt();
            }
            this.request = builder.build();
        }

        CompletableFuture<LockGrant> send() {
            sentAtNanos = ticker.read();
            CompletableFuture<LockGrant> acquiring;
            try {
                acquiring = Objects.requireNonNull(engine.acquire(request), "engine returned no future");
            } catch (RuntimeException e) {
                throw translate(e, name, "acquire");
            }
            // in the set while it is pending, so that close() cancels it; whoever waits on it removes it
            pending.add(acquiring);
            if (closed.get()) {
                acquiring.cancel(false);
            }
            return acquiring;
        }

        Duration waited() {
            return Duration.ofNanos(ticker.read() - sentAtNanos);
        }

        ManagedLockHandle activate(LockGrant grant) {
            // The lease counts from the grant, not from the request (a waiter may have queued for
            // longer than its lease): from when the engine's final, successful request was sent,
            // as the engine reports it, else from now, one reply late.
            long receivedAtNanos = ticker.read();
            lease.granted(grant, receivedAtNanos);
            active.add(lease);
            if (hasEvents) {
                events.acquired(name, waited(), false);
                lease.onLost(() -> events.lost(name, lease.state()));
            }
            if (lease.watchdog) {
                watchdog.track(lease); // after active.add: the deadline timer's scan must see it
            } else {
                long remaining = lease.deadlineNanos() - receivedAtNanos;
                lease.expiryTimer(scheduler.schedule(lease::expired, Math.max(0, remaining), TimeUnit.NANOSECONDS));
            }
            if (closed.get()) {
                releaseHoldAsync(lease);
            }
            return new ManagedLockHandle(GlobalLockManager.this, lease);
        }
    }

    /** Key of the per-thread reentrancy table. */
    private static final class ThreadKey {
        private final Thread thread;
        private final String key;

        ThreadKey(Thread thread, String key) {
            this.thread = thread;
            this.key = key;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ThreadKey
                    && ((ThreadKey) other).thread == thread
                    && ((ThreadKey) other).key.equals(key);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(thread) * 31 + key.hashCode();
        }
    }

    /**
     * Builds a manager from configuration (a map or YAML) or from an engine instance. Not
     * thread-safe. Each value may be set once.
     */
    public static final class Builder {
        private Map<String, ?> config;
        private LockEngine engine;
        private UnaryOperator<LockEngine> decorator = UnaryOperator.identity();
        private Function<String, String> environment = System::getenv;
        private Ticker ticker = Ticker.system();
        private LockEventListener eventListener = SafeLockEventListener.NONE;
        private String keyPrefix;
        private Duration defaultWaitTime;
        private Duration defaultLeaseTime;
        private Duration watchdogLease;
        private Duration operationTimeout;

        private Builder() {}

        /** Configuration as a map of the YAML's shape; {@code engine} picks the engine. */
        public Builder config(Map<String, ?> config) {
            Objects.requireNonNull(config, "config");
            checkSource();
            this.config = config;
            return this;
        }

        /** Configuration from a YAML file. */
        public Builder yaml(Path file) {
            Objects.requireNonNull(file, "file");
            return config(ConfigLoader.readYaml(file));
        }

        /** An engine you created yourself; the manager closes it when it closes. */
        public Builder engine(LockEngine engine) {
            Objects.requireNonNull(engine, "engine");
            checkSource();
            this.engine = engine;
            return this;
        }

        /** Wraps the engine before use (metrics, tracing, fault injection in tests). */
        public Builder decorateEngine(UnaryOperator<LockEngine> decorator) {
            this.decorator = Objects.requireNonNull(decorator, "decorator");
            return this;
        }

        /** Where {@code ${VAR}} values come from; the process environment by default. */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** The monotonic clock lease arithmetic uses; {@link Ticker#system()} by default. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Receives acquire, release and loss events, for metrics and tracing. */
        public Builder eventListener(LockEventListener listener) {
            this.eventListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Prepended to every lock name (overrides {@code key-prefix}).
         *
         * @throws IllegalArgumentException if it has a control character or is not valid Unicode
         *     (the rule of lock names)
         */
        public Builder keyPrefix(String keyPrefix) {
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            String problem = LockNames.prefixProblem(keyPrefix);
            if (problem != null) {
                throw new IllegalArgumentException(
                        "key-prefix was '" + LockNames.printable(keyPrefix) + "' but " + problem);
            }
            this.keyPrefix = keyPrefix;
            return this;
        }

        /** The default wait time (overrides {@code defaults.wait-time}). */
        public Builder defaultWaitTime(Duration waitTime) {
            Objects.requireNonNull(waitTime, "waitTime");
            if (waitTime.isNegative()) {
                throw new IllegalArgumentException("default wait time must not be negative but was " + waitTime);
            }
            this.defaultWaitTime = waitTime;
            return this;
        }

        /** The default lease time (overrides {@code defaults.lease-time}); absent means a watchdog lease. */
        public Builder defaultLeaseTime(Duration leaseTime) {
            this.defaultLeaseTime = positive(leaseTime, "default lease time");
            return this;
        }

        /**
         * The watchdog lease (overrides {@code watchdog.lease}); renewed every third of it. Without
         * either, 30 s, or the engine's session timeout where it declares one ({@link
         * EngineCapabilities#sessionTimeout()}), which also caps a longer lease.
         */
        public Builder watchdogLease(Duration lease) {
            this.watchdogLease = positive(lease, "watchdog lease");
            return this;
        }

        /** The bound on a single backend operation (overrides {@code operation-timeout}). */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = positive(timeout, "operation timeout");
            return this;
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive but was " + value);
            }
            return value;
        }

        private void checkSource() {
            if (config != null || engine != null) {
                throw new IllegalStateException("the configuration or engine was already set");
            }
        }

        /**
         * Opens the engine (from configuration, through {@link java.util.ServiceLoader}) and the manager.
         *
         * @throws LockConfigException listing every configuration problem
         * @throws IllegalStateException if neither configuration nor engine was given
         */
        public GlobalLockManager build() {
            ManagerSettings fromConfig = ManagerSettings.defaults();
            LockEngine opened = engine;
            if (config != null) {
                ConfigSection root = ConfigLoader.section(config, environment);
                EngineProviders providers = EngineProviders.load(GlobalLockManager.class.getClassLoader());
                String expectedEngine = "the name of a lock engine: "
                        + String.join(", ", providers.all().keySet());
                String engineName = root.requiredString("engine", expectedEngine);
                fromConfig = ManagerSettings.read(root);
                root.allow(providers.sectionNames().toArray(new String[0]));
                LockEngineProvider provider = engineName.isEmpty() ? null : providers.find(engineName);
                if (provider == null) {
                    if (!engineName.isEmpty()) {
                        root.problem("engine", engineName, providers.unknownEngineReason(engineName));
                    }
                    root.validate(); // throws: requiredString recorded why the name is empty
                    throw new LockConfigException(List.of("engine was empty but it is required: " + expectedEngine));
                }
                ConfigSection section = root.section(engineName);
                opened = provider.create(section);
                try {
                    root.validate();
                } catch (LockConfigException e) {
                    opened.close();
                    throw e;
                }
            }
            if (opened == null) {
                throw new IllegalStateException("give the builder a configuration or an engine");
            }
            ManagerSettings merged = new ManagerSettings(
                    keyPrefix != null ? keyPrefix : fromConfig.keyPrefix,
                    defaultWaitTime != null ? defaultWaitTime : fromConfig.defaultWaitTime,
                    defaultLeaseTime != null ? defaultLeaseTime : fromConfig.defaultLeaseTime,
                    watchdogLease != null ? watchdogLease : fromConfig.watchdogLease,
                    operationTimeout != null ? operationTimeout : fromConfig.operationTimeout);
            LockEngine decorated = Objects.requireNonNull(decorator.apply(opened), "decorated engine");
            try {
                return new GlobalLockManager(decorated, merged, ticker, eventListener);
            } catch (RuntimeException e) {
                decorated.close();
                throw e;
            }
        }
    }
}
