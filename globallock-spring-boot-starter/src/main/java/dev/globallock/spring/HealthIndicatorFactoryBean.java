/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.util.ClassUtils;

/**
 * The {@code globallock} health indicator in the API of the Spring Boot on the class path: Boot 4
 * has {@code org.springframework.boot.health.contributor.HealthIndicator}, Boot 3 {@code
 * org.springframework.boot.actuate.health.HealthIndicator}, two interfaces of the same shape in
 * different packages. One jar serves both by implementing whichever is present with a proxy over
 * {@link GlobalLockHealthCheck}; Boot finds it by type and names it {@code globallock} after its
 * bean name.
 */
final class HealthIndicatorFactoryBean implements FactoryBean<Object>, DisposableBean {
    static final String BOOT_4_PACKAGE = "org.springframework.boot.health.contributor";
    static final String BOOT_3_PACKAGE = "org.springframework.boot.actuate.health";

    private final GlobalLockHealthCheck check;
    private final Class<?> indicatorType;
    private final Method up;
    private final Method down;
    private final Method withDetail;
    private final Method build;

    HealthIndicatorFactoryBean(GlobalLockHealthCheck check, String healthPackage, ClassLoader classLoader) {
        this.check = check;
        try {
            this.indicatorType = ClassUtils.forName(healthPackage + ".HealthIndicator", classLoader);
            Class<?> health = ClassUtils.forName(healthPackage + ".Health", classLoader);
            this.up = health.getMethod("up");
            this.down = health.getMethod("down");
            Class<?> builder = up.getReturnType();
            this.withDetail = builder.getMethod("withDetail", String.class, Object.class);
            this.build = builder.getMethod("build");
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException(
                    "the Spring Boot health API in " + healthPackage + " is not as expected", e);
        }
    }

    @Override
    public Object getObject() {
        return Proxy.newProxyInstance(indicatorType.getClassLoader(), new Class<?>[] {indicatorType}, new Indicator());
    }

    @Override
    public Class<?> getObjectType() {
        return indicatorType;
    }

    @Override
    public void destroy() {
        check.shutdown();
    }

    private Object health() throws ReflectiveOperationException {
        GlobalLockHealthCheck.Result result = check.check();
        Object builder = (result.up ? up : down).invoke(null);
        for (Map.Entry<String, Object> detail : result.details.entrySet()) {
            builder = withDetail.invoke(builder, detail.getKey(), detail.getValue());
        }
        return build.invoke(builder);
    }

    private final class Indicator implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "health":
                    if (method.getParameterCount() == 0) {
                        try {
                            return health();
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                    break;
                case "toString":
                    return "globallock health indicator (" + indicatorType.getName() + ")";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    break;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.toString());
        }
    }
}
