package dev.globallock;

/**
 * The thread was interrupted before or while it waited for a lock. {@code lock} called with the
 * thread's interrupt flag already set throws it at once, without acquiring anything; an interrupt
 * during the wait abandons the wait. Either way the thread's
 * interrupt flag is set when this is thrown, and nothing is left behind on the backend (a lock
 * granted in the same instant is released).
 */
public class LockInterruptedException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    public LockInterruptedException(String lockName, InterruptedException cause) {
        super("interrupted while waiting for lock '" + lockName + "'", cause);
    }
}
