/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.Capability;
import dev.globallock.Durations;
import dev.globallock.EngineCapabilities;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Proxies beans that have {@link Locked} methods (class-based proxies, like Spring Boot's own) and
 * checks every such method: its attributes when the bean is created, and what depends on the
 * engine (lease times) once every singleton exists. Runs before {@code @Scheduled} processing, so
 * scheduled jobs are registered on the proxy; its advice runs before the bean's other advice (a
 * transaction runs inside the lock).
 */
final class LockedMethodPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements SmartInitializingSingleton, DisposableBean {
    private static final long serialVersionUID = 1L;

    private final transient LockedMethodInterceptor interceptor;
    private final transient ObjectProvider<GlobalLockManager> managers;
    private final transient Environment environment;

    LockedMethodPostProcessor(ObjectProvider<GlobalLockManager> managers, Environment environment) {
        this.managers = managers;
        this.environment = environment;
        this.interceptor = new LockedMethodInterceptor(managers, environment::resolvePlaceholders);
        this.advisor =
                new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, Locked.class, true), interceptor);
        setBeforeExistingAdvisors(true);
        setProxyTargetClass(true);
        // before ScheduledAnnotationBeanPostProcessor (lowest precedence)
        setOrder(Ordered.LOWEST_PRECEDENCE - 1);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        interceptor.beanFactory(beanFactory);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (isEligible(bean, beanName)) {
            List<String> problems = new ArrayList<>();
            interceptor.register(AopUtils.getTargetClass(bean), problems);
            if (!problems.isEmpty()) {
                throw new LockConfigException(problems);
            }
        }
        return super.postProcessAfterInitialization(bean, beanName);
    }

    /** The checks that need the engine: lease times it cannot honour, minHold past the lease. */
    @Override
    public void afterSingletonsInstantiated() {
        List<LockedMethod> methods = interceptor.registered();
        if (methods.isEmpty()) {
            return;
        }
        GlobalLockManager manager = managers.getIfUnique();
        if (manager == null) {
            return;
        }
        EngineCapabilities capabilities = manager.capabilities();
        Duration defaultLease = configuredDefaultLease();
        List<String> problems = new ArrayList<>();
        for (LockedMethod locked : methods) {
            String on = "@Locked(leaseTime) on " + locked.description + " was '";
            if (locked.leaseTime != null && !capabilities.has(Capability.LEASE_TIME)) {
                problems.add(
                        on + Durations.format(locked.leaseTime) + "' but engine '" + manager.engineName()
                                + "' cannot honour lease times: its locks last as long as the holder's session; leave it empty");
            } else if (locked.leaseTime != null && locked.leaseTime.compareTo(capabilities.minimumLeaseTime()) < 0) {
                problems.add(on + Durations.format(locked.leaseTime) + "' but engine '" + manager.engineName()
                        + "' needs at least " + Durations.format(capabilities.minimumLeaseTime()));
            }
            if (locked.minHold != null
                    && locked.leaseTime == null
                    && defaultLease != null
                    && locked.minHold.compareTo(defaultLease) > 0) {
                problems.add("@Locked(minHold) on " + locked.description + " was '" + Durations.format(locked.minHold)
                        + "' but it is longer than globallock.defaults.lease-time '" + Durations.format(defaultLease)
                        + "': the lock would expire before it; give the method a longer leaseTime");
            }
        }
        if (!problems.isEmpty()) {
            throw new LockConfigException(problems);
        }
    }

    private Duration configuredDefaultLease() {
        String text = environment.getProperty(GlobalLockEnvironment.PREFIX + ".defaults.lease-time");
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            return null; // the manager reports it
        }
    }

    @Override
    public void destroy() {
        interceptor.shutdown();
    }
}
