/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.LockEngine;
import dev.globallock.spi.LockEngineProvider;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What a manager runs on, opened from what its builder was given: the configuration read (every
 * problem reported at once), the engine's provider found, the engine opened on its section (or the
 * engine given), decorated, and the settings of the configuration with the builder's put over them.
 */
final class ManagerBootstrap {
    final LockEngine engine;
    final ManagerSettings settings;

    private ManagerBootstrap(LockEngine engine, ManagerSettings settings) {
        this.engine = engine;
        this.settings = settings;
    }

    /**
     * @param config the configuration map, or null when {@code given} is
     * @param given an engine the application opened, or null
     * @param overrides the builder's settings; nulls are the ones it was not given
     * @throws LockConfigException listing every configuration problem
     * @throws IllegalStateException when neither a configuration nor an engine was given
     */
    static ManagerBootstrap open(
            Map<String, ?> config,
            Function<String, String> environment,
            LockEngine given,
            ManagerSettings overrides,
            UnaryOperator<LockEngine> decorator) {
        ManagerSettings fromConfig = ManagerSettings.defaults();
        LockEngine opened = given;
        if (config != null) {
            ConfigSection root = ConfigLoader.section(config, environment);
            EngineProviders providers = EngineProviders.load();
            String expectedEngine = "the name of a lock engine: "
                    + String.join(", ", providers.all().keySet());
            String engineName = root.requiredString("engine", expectedEngine);
            fromConfig = ManagerSettings.read(root);
            root.allow(providers.sectionNames().toArray(new String[0]));
            LockEngineProvider provider = engineName.isEmpty() ? null : providers.find(engineName);
            if (provider == null) {
                if (!engineName.isEmpty()) {
                    root.problem("engine", engineName, providers.unknownEngineReason(engineName));
                }
                root.validate(); // throws: requiredString recorded why the name is empty
                throw new LockConfigException(List.of("engine was empty but it is required: " + expectedEngine));
            }
            opened = provider.create(root.section(engineName));
            try {
                root.validate();
            } catch (LockConfigException e) {
                opened.close();
                throw e;
            }
        }
        if (opened == null) {
            throw new IllegalStateException("give the builder a configuration or an engine");
        }
        LockEngine decorated = Objects.requireNonNull(decorator.apply(opened), "decorated engine");
        return new ManagerBootstrap(decorated, fromConfig.overriddenBy(overrides));
    }
}
