package dev.globallock.zookeeper;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where the engine runs what the application may have chained on its futures and listeners, so
 * that such code never runs on (and never blocks) ZooKeeper's event thread.
 *
 * <p>One pool for the JVM, with no fixed size: a thread is reused when idle and ends after 30 s
 * without work, so a dependent that blocks (for example one that takes another lock) never
 * starves the completion it waits for, the way it would on a single callback thread. Completions
 * are short, so in practice one or two threads serve every engine.
 */
final class Callbacks {
    private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    static final Executor POOL =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "globallock-zookeeper-callback-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

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
