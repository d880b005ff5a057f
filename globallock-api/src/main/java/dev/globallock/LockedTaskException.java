package dev.globallock;

/**
 * Carries a checked exception thrown by a body run with {@link GlobalLockManager#withLock}. It is
 * not a {@link GlobalLockException}: the lock worked, the body failed. {@link #getCause()} is the
 * body's exception; unchecked exceptions and errors from the body are rethrown as they are.
 */
public class LockedTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LockedTaskException(String lockName, Exception cause) {
        super("the task run under lock '" + lockName + "' failed: " + cause, cause);
    }
}
