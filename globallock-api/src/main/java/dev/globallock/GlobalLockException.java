package dev.globallock;

/**
 * The root of every exception globallock throws. All of them are unchecked: a lock that cannot be
 * had is reported by {@link LockTimeoutException}, a backend that fails by {@link
 * LockBackendException}, a bad configuration by {@link LockConfigException}, a lease that is gone
 * by {@link LockLostException}, an interrupted wait by {@link LockInterruptedException}.
 *
 * <p>Messages name the lock, the engine and the configuration key involved; they never contain a
 * password or other secret.
 */
public class GlobalLockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GlobalLockException(String message) {
        super(message);
    }

    public GlobalLockException(String message, Throwable cause) {
        super(message, cause);
    }
}
