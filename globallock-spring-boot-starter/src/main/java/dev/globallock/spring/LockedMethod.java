/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spring;

import dev.globallock.Durations;
import dev.globallock.LockHandle;
import dev.globallock.LockOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.ParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * One {@link Locked} method, its attributes parsed and checked once: the name template, the
 * options, the minimum hold, where the {@link LockHandle} goes and what a skipped call returns.
 * Immutable and thread-safe.
 */
final class LockedMethod {
    private static final SpelExpressionParser PARSER = new SpelExpressionParser();
    private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

    final Method method;
    /** {@code Class.method()}, as messages name it. */
    final String description;

    final OnBusy onBusy;
    final LockOptions options;
    /** Null: the configured default lease (or a watchdog lease). */
    final Duration leaseTime;
    /** Null: released when the method returns. */
    final Duration minHold;

    private final String fixedName;
    private final Expression name;
    private final int handleIndex;
    private final boolean returnsOptional;

    private LockedMethod(
            Method method,
            String description,
            OnBusy onBusy,
            LockOptions options,
            Duration leaseTime,
            Duration minHold,
            String fixedName,
            Expression name,
            int handleIndex,
            boolean returnsOptional) {
        this.method = method;
        this.description = description;
        this.onBusy = onBusy;
        this.options = options;
        this.leaseTime = leaseTime;
        this.minHold = minHold;
        this.fixedName = fixedName;
        this.name = name;
        this.handleIndex = handleIndex;
        this.returnsOptional = returnsOptional;
    }

    /**
     * Parses and checks the annotation of {@code method}; {@code placeholders} resolves {@code
     * ${...}} in its values.
     *
     * @param problems where each problem is added as {@code @Locked(attribute) on Class.method() was
     *     'value' but reason}
     * @return the method, or null when a problem was found
     */
    static LockedMethod parse(Method method, Locked locked, UnaryOperator<String> placeholders, List<String> problems) {
        String description = method.getDeclaringClass().getName() + "." + method.getName() + "()";
        int before = problems.size();
        int modifiers = method.getModifiers();
        if (Modifier.isStatic(modifiers) || Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers)) {
            problems.add("@Locked on " + description + " was on a "
                    + (Modifier.isStatic(modifiers) ? "static" : Modifier.isPrivate(modifiers) ? "private" : "final")
                    + " method but Spring cannot intercept it there: the lock would never be taken");
        }

        String template = placeholders.apply(locked.name());
        String fixedName = null;
        Expression name = null;
        if (template.isBlank()) {
            fixedName = method.getDeclaringClass().getName() + "." + method.getName();
        } else if (!template.contains(ParserContext.TEMPLATE_EXPRESSION.getExpressionPrefix())) {
            fixedName = template;
        } else {
            try {
                name = PARSER.parseExpression(template, ParserContext.TEMPLATE_EXPRESSION);
            } catch (ParseException e) {
                problems.add(attribute("name", description, locked.name()) + "it is not a valid template: "
                        + e.getSimpleMessage());
            }
        }

        OnBusy onBusy = locked.onBusy();
        LockOptions.Builder options = LockOptions.builder();
        String waitText = placeholders.apply(locked.waitTime()).trim();
        if (waitText.equalsIgnoreCase("forever")) {
            if (onBusy == OnBusy.SKIP) {
                problems.add(attribute("waitTime", description, locked.waitTime())
                        + "onBusy is SKIP, which a wait without end never reaches: give a wait time, or none"
                        + " for one attempt");
            }
            options.waitForever();
        } else if (!waitText.isEmpty()) {
            duration("waitTime", description, locked.waitTime(), waitText, problems)
                    .ifPresent(options::waitTime);
        } else if (onBusy == OnBusy.SKIP) {
            options.noWait();
        }

        Duration leaseTime = null;
        String leaseText = placeholders.apply(locked.leaseTime()).trim();
        if (!leaseText.isEmpty()) {
            leaseTime = duration("leaseTime", description, locked.leaseTime(), leaseText, problems)
                    .orElse(null);
            if (leaseTime != null && leaseTime.isZero()) {
                problems.add(attribute("leaseTime", description, locked.leaseTime())
                        + "it must be longer than zero; leave it empty for a watchdog lease");
                leaseTime = null;
            }
            if (leaseTime != null) {
                options.leaseTime(leaseTime);
            }
        }

        Duration minHold = null;
        String minHoldText = placeholders.apply(locked.minHold()).trim();
        if (!minHoldText.isEmpty()) {
            minHold = duration("minHold", description, locked.minHold(), minHoldText, problems)
                    .filter(d -> !d.isZero())
                    .orElse(null);
            if (minHold != null && leaseTime != null && minHold.compareTo(leaseTime) > 0) {
                problems.add(attribute("minHold", description, locked.minHold())
                        + "it is longer than the leaseTime '" + locked.leaseTime()
                        + "': the lock would expire before it");
            }
        }

        int handleIndex = -1;
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            if (LockHandle.class.isAssignableFrom(parameters[i])) {
                if (!parameters[i].equals(LockHandle.class) || handleIndex >= 0) {
                    problems.add("@Locked on " + description + " was on a method with parameters "
                            + List.of(parameters) + " but only one parameter may receive the lock,"
                            + " and it must be declared as LockHandle");
                }
                handleIndex = i;
            }
        }

        Class<?> returns = method.getReturnType();
        boolean returnsOptional = returns.equals(Optional.class);
        if (onBusy == OnBusy.SKIP && !returns.equals(void.class) && !returns.equals(Void.class) && !returnsOptional) {
            problems.add(attribute("onBusy", description, "SKIP") + "the method returns " + returns.getName()
                    + ": a skipped call returns nothing, so SKIP needs a void or Optional method");
        }
        if (problems.size() > before) {
            return null;
        }
        return new LockedMethod(
                method,
                description,
                onBusy,
                options.build(),
                leaseTime,
                minHold,
                fixedName,
                name,
                handleIndex,
                returnsOptional);
    }

    /** The lock name for this call, with beans reachable as {@code @name}. */
    String name(MethodInvocation invocation, BeanFactory beans) {
        return fixedName != null ? fixedName : evaluate(invocation, beans);
    }

    private String evaluate(MethodInvocation invocation, BeanFactory beans) {
        Object[] args = invocation.getArguments();
        MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(
                new LockedInvocation(method, args, invocation.getThis()), method, args, PARAMETER_NAMES);
        if (beans != null) {
            context.setBeanResolver(new BeanFactoryResolver(beans));
        }
        String value = name.getValue(context, String.class);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the lock name of @Locked on " + description + " was '" + value
                    + "' for this call but it must not be empty: check the template '"
                    + name.getExpressionString() + "'");
        }
        return value;
    }

    /** Puts the handle where the method declared a {@link LockHandle} parameter. */
    void pass(MethodInvocation invocation, LockHandle handle) {
        if (handleIndex >= 0) {
            invocation.getArguments()[handleIndex] = handle;
        }
    }

    /** What a skipped call returns. */
    Object skipped() {
        return returnsOptional ? Optional.empty() : null;
    }

    private static Optional<Duration> duration(
            String attribute, String description, String written, String resolved, List<String> problems) {
        try {
            return Optional.of(Durations.parse(resolved));
        } catch (IllegalArgumentException e) {
            problems.add(attribute(attribute, description, written) + e.getMessage());
            return Optional.empty();
        }
    }

    private static String attribute(String attribute, String description, String value) {
        return "@Locked(" + attribute + ") on " + description + " was '" + value + "' but ";
    }

    /** The root object of the name template: {@code #root.method}, {@code #root.args}, {@code #root.target}. */
    static final class LockedInvocation {
        private final Method method;
        private final Object[] args;
        private final Object target;

        LockedInvocation(Method method, Object[] args, Object target) {
            this.method = method;
            this.args = args;
            this.target = target;
        }

        public Method getMethod() {
            return method;
        }

        public Object[] getArgs() {
            return args;
        }

        public Object getTarget() {
            return target;
        }
    }
}
