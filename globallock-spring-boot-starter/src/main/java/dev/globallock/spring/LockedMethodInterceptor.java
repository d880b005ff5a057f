/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.LockInterruptedException;
import dev.globallock.LockLostException;
import dev.globallock.LockTimeoutException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Runs {@link Locked} methods under their lock. Calls without {@link Locked#minHold()} use the
 * manager's blocking, reentrant acquisition; calls with it acquire a lock that belongs to no
 * thread, so that a later call on the same thread (the scheduler's next tick) cannot re-enter it,
 * and release it on one shared thread when the minimum hold is over. Thread-safe.
 */
final class LockedMethodInterceptor implements MethodInterceptor {
    private static final System.Logger LOG = System.getLogger(LockedMethodInterceptor.class.getName());

    private final ObjectProvider<GlobalLockManager> managers;
    private final UnaryOperator<String> placeholders;
    private final Map<Method, LockedMethod> methods = new ConcurrentHashMap<>();
    private volatile BeanFactory beans;
    /** Releases held past their method's return for minHold; made on first use. */
    private volatile ScheduledThreadPoolExecutor releases;

    LockedMethodInterceptor(ObjectProvider<GlobalLockManager> managers, UnaryOperator<String> placeholders) {
        this.managers = managers;
        this.placeholders = placeholders;
    }

    void beanFactory(BeanFactory beans) {
        this.beans = beans;
    }

    /** Parses every {@link Locked} method of {@code targetClass}; the problems found are added. */
    List<LockedMethod> register(Class<?> targetClass, List<String> problems) {
        List<LockedMethod> found = new ArrayList<>();
        for (Method method : org.springframework.util.ReflectionUtils.getUniqueDeclaredMethods(targetClass)) {
            Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
            Locked locked = AnnotatedElementUtils.findMergedAnnotation(specific, Locked.class);
            if (locked == null || methods.containsKey(specific)) {
                continue;
            }
            LockedMethod parsed = LockedMethod.parse(specific, locked, placeholders, problems);
            if (parsed != null) {
                methods.put(specific, parsed);
                found.add(parsed);
            }
        }
        return found;
    }

    /** Every method registered so far. */
    List<LockedMethod> registered() {
        return List.copyOf(methods.values());
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        LockedMethod locked = method(invocation);
        String name = locked.name(invocation, beans);
        GlobalLockManager locks = managers.getObject();
        if (locked.minHold != null) {
            return runHoldingAtLeast(invocation, locked, locks, name);
        }
        LockHandle handle =
                locked.onBusy == OnBusy.SKIP ? locks.tryLock(name, locked.options) : locks.lock(name, locked.options);
        if (!handle.isLocked()) {
            return locked.skipped();
        }
        Object result;
        try {
            locked.pass(invocation, handle);
            result = invocation.proceed();
        } catch (Throwable failure) {
            closeAfter(handle, failure);
            throw failure;
        }
        handle.release(); // throws LockLostException when the lease was lost while the method ran
        return result;
    }

    private Object runHoldingAtLeast(
            MethodInvocation invocation, LockedMethod locked, GlobalLockManager locks, String name) throws Throwable {
        CompletableFuture<LockHandle> acquiring = locks.lockAsync(name, locked.options);
        LockHandle handle;
        try {
            handle = acquiring.get();
        } catch (InterruptedException e) {
            acquiring.cancel(false);
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LockTimeoutException && locked.onBusy == OnBusy.SKIP) {
                return locked.skipped();
            }
            throw cause;
        }
        long acquiredAt = System.nanoTime();
        Object result;
        try {
            locked.pass(invocation, handle);
            result = invocation.proceed();
        } catch (Throwable failure) {
            try {
                releaseAfterMinHold(handle, locked, acquiredAt);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        if (!handle.isLocked()) {
            handle.close();
            throw new LockLostException(
                    name,
                    "the lease of lock '" + name + "' was "
                            + handle.state().name().toLowerCase(java.util.Locale.ROOT)
                            + " while @Locked method " + locked.description
                            + " ran: the work it did since then was not protected");
        }
        releaseAfterMinHold(handle, locked, acquiredAt);
        return result;
    }

    private void releaseAfterMinHold(LockHandle handle, LockedMethod locked, long acquiredAt) {
        long remaining = locked.minHold.toNanos() - (System.nanoTime() - acquiredAt);
        if (remaining > 0) {
            try {
                releases().schedule(() -> releaseLater(handle, locked), remaining, TimeUnit.NANOSECONDS);
                return;
            } catch (RejectedExecutionException e) {
                // shutting down: release now
            }
        }
        handle.close();
    }

    private static void releaseLater(LockHandle handle, LockedMethod locked) {
        try {
            handle.release();
        } catch (IllegalStateException e) {
            // the manager closed first and released it
        } catch (LockLostException e) {
            LOG.log(
                    Level.WARNING,
                    () -> "lock '" + handle.name() + "' of " + locked.description
                            + " was lost before its minHold ended: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not release lock '" + handle.name() + "' of " + locked.description, e);
        }
    }

    private ScheduledThreadPoolExecutor releases() {
        ScheduledThreadPoolExecutor executor = releases;
        if (executor == null) {
            synchronized (this) {
                executor = releases;
                if (executor == null) {
                    executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                        Thread thread = new Thread(runnable, "globallock-min-hold");
                        thread.setDaemon(true);
                        return thread;
                    });
                    executor.setRemoveOnCancelPolicy(true);
                    releases = executor;
                }
            }
        }
        return executor;
    }

    /** Stops the release thread; locks still held for their minHold are released by the manager's close. */
    void shutdown() {
        ScheduledThreadPoolExecutor executor = releases;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private LockedMethod method(MethodInvocation invocation) {
        Object target = invocation.getThis();
        Class<?> targetClass =
                target == null ? invocation.getMethod().getDeclaringClass() : AopUtils.getTargetClass(target);
        Method specific = AopUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
        LockedMethod locked = methods.get(specific);
        if (locked == null) {
            List<String> problems = new ArrayList<>();
            register(targetClass, problems);
            if (!problems.isEmpty()) {
                throw new dev.globallock.LockConfigException(problems);
            }
            locked = methods.get(specific);
        }
        return locked;
    }

    private static void closeAfter(LockHandle handle, Throwable failure) {
        try {
            handle.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
