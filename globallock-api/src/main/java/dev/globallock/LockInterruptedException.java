package dev.globallock;

/**
 * The thread was interrupted while it waited for a lock. The thread's interrupt flag is set again
 * before this is thrown, and the abandoned wait leaves nothing behind on the backend.
 */
public class LockInterruptedException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    public LockInterruptedException(String lockName, InterruptedException cause) {
        super("interrupted while waiting for lock '" + lockName + "'", cause);
    }
}
