/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring.app;

import dev.globallock.LockHandle;
import dev.globallock.spring.Locked;
import dev.globallock.spring.OnBusy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * One node of a small application: a job every 100 ms that must run on one node per tick, and a
 * service whose lock name comes from its arguments. The {@link Ledger} is shared by the nodes of a
 * test (one JVM), and records what they did.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableScheduling
public class LockedApplication {
    static final long TICK_MILLIS = 100;
    static final String MIN_HOLD = "70ms";

    @Bean
    ThreadPoolTaskScheduler taskScheduler(@Value("${node.skew-ms:0}") long skewMillis) {
        AlignedTaskScheduler scheduler = new AlignedTaskScheduler(skewMillis);
        scheduler.setThreadNamePrefix("node-scheduler-");
        return scheduler;
    }

    @Bean
    TickJob tickJob(Ledger ledger, @Value("${node.name}") String node) {
        return new TickJob(ledger, node);
    }

    @Bean
    Accounts accounts(Ledger ledger) {
        return new Accounts(ledger);
    }

    public static class TickJob {
        private final Ledger ledger;
        private final String node;

        TickJob(Ledger ledger, String node) {
            this.ledger = ledger;
            this.node = node;
        }

        @Scheduled(fixedRate = TICK_MILLIS)
        @Locked(name = "tick-job", onBusy = OnBusy.SKIP, minHold = MIN_HOLD)
        public void tick() {
            ledger.tick(node, AlignedTaskScheduler.TICK.get(), AlignedTaskScheduler.DUE.get());
        }
    }

    public static class Accounts {
        private final Ledger ledger;

        Accounts(Ledger ledger) {
            this.ledger = ledger;
        }

        @Locked(name = "account-#{#account}", waitTime = "30s")
        public void transfer(String account, long amount, LockHandle lock) {
            ledger.transfer(account, amount, lock.fencingToken());
        }
    }

    /**
     * Starts fixed-rate tasks on a grid of their period on the wall clock, shifted by this node's
     * skew: what cron triggers on two hosts whose clocks differ by the skew do, at a test's pace. As
     * with a cron trigger, a tick that could not start within half a period is skipped, not run late.
     */
    static final class AlignedTaskScheduler extends ThreadPoolTaskScheduler {
        private static final long serialVersionUID = 1L;
        /** The tick (period number on the grid) of the execution running on this thread. */
        static final ThreadLocal<Long> TICK = new ThreadLocal<>();
        /** When that tick was due on this node's (skewed) grid, in wall clock milliseconds. */
        static final ThreadLocal<Long> DUE = new ThreadLocal<>();

        private final long skewMillis;

        AlignedTaskScheduler(long skewMillis) {
            this.skewMillis = skewMillis;
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
            return scheduleAtFixedRate(task, getClock().instant(), period);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
            long periodMillis = period.toMillis();
            long firstTick = (startTime.toEpochMilli() - skewMillis) / periodMillis + 1;
            AtomicLong executions = new AtomicLong();
            Runnable counted = () -> {
                // the tick this execution was scheduled for, even when it starts late
                long tick = firstTick + executions.getAndIncrement();
                long due = tick * periodMillis + skewMillis;
                if (getClock().millis() - due > periodMillis / 2) {
                    return; // missed (the previous run overran): like a cron trigger, not run late
                }
                TICK.set(tick);
                DUE.set(due);
                try {
                    task.run();
                } finally {
                    TICK.remove();
                    DUE.remove();
                }
            };
            return super.scheduleAtFixedRate(
                    counted, Instant.ofEpochMilli(firstTick * periodMillis + skewMillis), period);
        }
    }
}
