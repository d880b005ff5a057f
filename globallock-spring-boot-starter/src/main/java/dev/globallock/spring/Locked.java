/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the method while holding a globallock lock, on the application's {@link
 * dev.globallock.GlobalLockManager} bean. Works on any public method of a Spring bean called
 * through the bean (not from inside the same object), including {@code @Scheduled} methods: with
 * {@code onBusy = SKIP} a job scheduled on every node runs on one node per tick.
 *
 * <pre>{@code
 * @Locked(name = "invoice-#{#invoice.id}", waitTime = "5s")
 * public void settle(Invoice invoice, LockHandle lock) {
 *     ledger.write(invoice, lock.fencingToken());
 * }
 *
 * @Scheduled(cron = "0 0 * * * *")
 * @Locked(onBusy = OnBusy.SKIP, minHold = "30s")
 * public void hourlyReport() { ... }
 * }</pre>
 *
 * <p>The lock is released when the method returns or throws (after {@link #minHold()} if that is
 * set). If the lease was lost while the method ran, the call throws {@link
 * dev.globallock.LockLostException} after the method returned: its work was not protected. A
 * parameter of type {@link dev.globallock.LockHandle} receives the handle (the caller passes
 * {@code null}); use its fencing token.
 *
 * <p>The durations accept {@code ${...}} placeholders and every form the library does ({@code
 * 500ms}, {@code 5s}, {@code 2m}, {@code PT5S}). Every attribute is checked when the application
 * starts: a bad duration, a {@code SKIP} method that returns something other than {@code void} or
 * {@code Optional}, a template that does not parse, or a lease time the engine cannot honour fails
 * the start with a message naming the method.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Locked {
    /**
     * The lock name: a template where {@code #{...}} is a SpEL expression over the method's
     * arguments by name ({@code #invoice}, which needs {@code -parameters}) or position ({@code
     * #p0}), beans ({@code @billing}) and {@code #root.method}. Empty: the method's class and name,
     * {@code com.example.Jobs.nightlyReport}.
     */
    String name() default "";

    /**
     * How long to wait for the lock: a duration or {@code forever}. Empty: the configured {@code
     * globallock.defaults.wait-time} with {@link OnBusy#THROW}, one attempt with {@link
     * OnBusy#SKIP}.
     */
    String waitTime() default "";

    /**
     * The lease: the lock frees itself this long after it was acquired, even if the method still
     * runs. Empty: the configured {@code globallock.defaults.lease-time}, else a watchdog lease
     * kept alive while the method runs.
     */
    String leaseTime() default "";

    /**
     * Keep the lock at least this long, counted from its acquisition, even when the method returns
     * sooner (ShedLock's {@code lockAtLeastFor}): a node whose clock or schedule runs a little
     * behind then finds the lock taken and does not run the same tick again. The lock is released
     * on a globallock thread when the time is up. Such calls are not reentrant: a nested call for
     * the same name waits (or skips) like any other caller. Empty: released when the method returns.
     */
    String minHold() default "";

    /** What to do when the lock is not acquired within the wait time. */
    OnBusy onBusy() default OnBusy.THROW;
}
