package dev.globallock.etcd;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The executor the engine's own jetcd client sends its calls from: the calling thread. jetcd hands
 * every unary call to its executor before writing it to the gRPC channel, which with its default
 * pool costs a thread hand-over per call (one more wake-up on the path of every acquire, release
 * and handoff). Writing a call never blocks, so the thread that asks (the application's, or the
 * gRPC thread delivering the previous step's answer) can do it. Never shut down: it owns no thread.
 */
final class EtcdCallingThreadExecutor extends AbstractExecutorService {
    static final EtcdCallingThreadExecutor INSTANCE = new EtcdCallingThreadExecutor();

    private EtcdCallingThreadExecutor() {}

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
