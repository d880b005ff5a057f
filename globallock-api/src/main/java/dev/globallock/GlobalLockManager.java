/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;
import dev.globallock.spi.LockInspector;
import java.io.Reader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
    private final ManagerContext manager;
    /** The leases held right now, each once however many handles share it. */
    private final Set<HeldLock> held = ConcurrentHashMap.newKeySet();

    private final Watchdog watchdog;
    private final OperationWaits waits;
    private final Releases releases;
    private final Acquisitions acquisitions;
    private final RateLimiters rateLimiters;
    private final Primitives primitives;

    private GlobalLockManager(LockEngine engine, ManagerSettings settings, Ticker ticker, LockEventListener events) {
        this.manager = new ManagerContext(engine, settings, ticker, events);
        this.watchdog = new Watchdog(
                engine, ticker, () -> held, manager.leases.watchdogLease().toNanos());
        this.waits = new OperationWaits(manager.failures, ticker, settings.operationTimeout);
        Reentrancy reentrancy = new Reentrancy();
        this.releases = new Releases(manager, held, reentrancy, waits);
        this.acquisitions = new Acquisitions(manager, watchdog, held, reentrancy, releases);
        this.rateLimiters = new RateLimiters(manager);
        this.primitives = new Primitives(manager, acquisitions, waits);
        engine.start(manager.engineContext());
        watchdog.events(manager.events);
        watchdog.start(manager.scheduler);
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
        return EngineProviders.load().descriptions();
    }

    /**
     * What every engine of the named provider supports, as the provider declares it, without
     * opening an engine or connecting (an opened engine may narrow it: see {@link
     * LockEngineProvider#capabilities()}). Empty when no engine of that name is on the class path.
     */
    public static Optional<EngineCapabilities> engineCapabilities(String engineName) {
        Objects.requireNonNull(engineName, "engineName");
        LockEngineProvider provider = EngineProviders.load().find(engineName);
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
        return acquisitions.acquire(name, options, true);
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
        return acquisitions.acquire(name, options, false);
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
        return acquisitions.acquireAsync(name, options);
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
        manager.keyFor(name);
        return new ThreadOwnedLock(acquisitions, name, manager.engine.name());
    }

    /**
     * What the backend says about the lock right now, without taking it. Empty when the engine
     * cannot inspect locks.
     */
    public Optional<LockInfo> inspect(String name) {
        String key = manager.keyFor(name);
        Optional<LockInspector> inspector = manager.engine.inspector();
        if (inspector.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(waits.await(inspector.get().inspect(name, key), name, "inspect"));
    }

    // ----------------------------------------------------------------------------- semaphores, read-write locks

    /**
     * A distributed semaphore of {@code permits} permits: at most that many holders of the name at
     * once across every manager on the same backend and key prefix; each permit is a {@link
     * LockHandle} with a lock's lease, watchdog, fencing token and lost-lease signal. See {@link
     * LockSemaphore}. Cheap: nothing is sent until a permit is asked for.
     *
     * @throws IllegalArgumentException for an invalid name or {@code permits} below 1
     * @throws UnsupportedOperationException when the engine lacks {@link Capability#SEMAPHORE}; the
     *     message names the engine and those on the class path that have it
     * @throws IllegalStateException when the manager is closed
     */
    public LockSemaphore semaphore(String name, int permits) {
        return primitives.semaphore(name, permits);
    }

    /**
     * A distributed read-write lock: many readers or one writer across every manager on the same
     * backend and key prefix, a waiting writer blocking new readers. See {@link LockReadWrite} for
     * its reentrancy rules (a writer may take the read lock; a reader asking for the write lock is
     * an {@link IllegalStateException}). Cheap: nothing is sent until a side is locked.
     *
     * @throws IllegalArgumentException for an invalid name
     * @throws UnsupportedOperationException when the engine lacks {@link Capability#READ_WRITE_LOCK};
     *     the message names the engine and those on the class path that have it
     * @throws IllegalStateException when the manager is closed
     */
    public LockReadWrite readWriteLock(String name) {
        return primitives.readWriteLock(name);
    }

    // ----------------------------------------------------------------------------- rate limiters

    /**
     * A distributed rate limiter: at most {@code permits} acquisitions in any window of {@code
     * window}, across every manager on the same backend and key prefix (the exact sliding window;
     * see {@link RateLimiter.Algorithm#EXACT}). The name is validated, prefixed and reported like a
     * lock's. Cheap: nothing is sent until the first call on it, and limiters of the same name share
     * their record on the backend.
     *
     * @throws IllegalArgumentException for an invalid name, {@code permits} below 1, or a window
     *     shorter than 1ms or longer than 365d
     * @throws UnsupportedOperationException when the engine keeps no rate limiters (it lacks {@link
     *     Capability#RATE_LIMITER}: etcd, ZooKeeper, Redis in Redlock mode); the message names the
     *     engine and those on the class path that do
     * @throws IllegalStateException when the manager is closed
     */
    public RateLimiter rateLimiter(String name, int permits, Duration window) {
        return rateLimiter(name, permits, window, RateLimiter.Algorithm.EXACT);
    }

    /**
     * {@link #rateLimiter(String, int, Duration)} with the algorithm chosen: {@link
     * RateLimiter.Algorithm#APPROXIMATE} keeps O(1) memory per limiter on the backend, for limits in
     * the thousands and more.
     */
    public RateLimiter rateLimiter(String name, int permits, Duration window, RateLimiter.Algorithm algorithm) {
        return rateLimiters.create(name, permits, window, algorithm);
    }

    /** The engine's provider name, such as {@code redis}. */
    public String engineName() {
        return manager.engine.name();
    }

    /** What the engine supports. */
    public EngineCapabilities capabilities() {
        return manager.capabilities;
    }

    /**
     * Releases every lock this manager holds (best effort, bounded by the operation timeout),
     * abandons pending waits, stops the watchdog and closes the engine. Idempotent.
     */
    @Override
    public void close() {
        if (!manager.close()) {
            return;
        }
        acquisitions.cancelPending();
        watchdog.stop();
        try {
            releases.releaseAll();
        } finally {
            try {
                rateLimiters.close();
            } finally {
                manager.scheduler.shutdownNow();
                manager.engine.close();
            }
        }
    }

    @Override
    public String toString() {
        return "GlobalLockManager{engine=" + manager.engine.name() + ", endpoint=" + manager.engine.describeEndpoint()
                + ", held=" + held.size() + (manager.isClosed() ? ", closed" : "") + "}";
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
            ManagerSettings overrides =
                    new ManagerSettings(keyPrefix, defaultWaitTime, defaultLeaseTime, watchdogLease, operationTimeout);
            ManagerBootstrap opened = ManagerBootstrap.open(config, environment, engine, overrides, decorator);
            try {
                return new GlobalLockManager(opened.engine, opened.settings, ticker, eventListener);
            } catch (RuntimeException e) {
                opened.engine.close();
                throw e;
            }
        }
    }
}
