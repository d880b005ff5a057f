package dev.globallock.zookeeper;

import dev.globallock.spi.support.CallbackPool;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where the engine runs what the application may have chained on its futures and listeners, so
 * that such code never runs on (and never blocks) ZooKeeper's event thread: the JVM's shared
 * {@link CallbackPool}, directly or one task at a time ({@link #serial()}).
 */
final class Callbacks {
    private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());

    static final Executor POOL = CallbackPool.shared();

    private Callbacks() {}

    /** An executor that runs its tasks one at a time, in submission order, on the pool. */
    static Executor serial() {
        return new Serial();
    }

    private static final class Serial implements Executor {
        private final ReentrantLock mutex = new ReentrantLock();
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean running;

        @Override
        public void execute(Runnable task) {
            mutex.lock();
            try {
                queue.add(task);
                if (running) {
                    return;
                }
                running = true;
            } finally {
                mutex.unlock();
            }
            POOL.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                mutex.lock();
                try {
                    next = queue.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                } finally {
                    mutex.unlock();
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a globallock zookeeper callback threw", e);
                }
            }
        }
    }
}
