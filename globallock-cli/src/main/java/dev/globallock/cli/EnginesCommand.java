/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import dev.globallock.Capability;
import dev.globallock.Durations;
import dev.globallock.EngineCapabilities;
import dev.globallock.GlobalLockManager;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code globallock engines}: the engines on the class path and their capabilities, as each
 * provider declares them; nothing is opened or connected (an engine opened on a particular
 * configuration may narrow them, such as Redlock's longer minimum lease).
 */
@Command(
        name = "engines",
        mixinStandardHelpOptions = true,
        description = "Lists the engines found and their capabilities (without connecting to anything).")
final class EnginesCommand implements Callable<Integer> {
    @ParentCommand
    GlobalLockCommand parent;

    @Override
    public Integer call() {
        Map<String, Object> config = parent.common.load();
        Object selected = config.get("engine");
        Map<String, String> engines = GlobalLockManager.availableEngines();
        for (Map.Entry<String, String> engine : engines.entrySet()) {
            String name = engine.getKey();
            System.out.println(name + (name.equals(selected) ? "  (configured)" : ""));
            System.out.println("    " + engine.getValue());
            System.out.println("    capabilities: "
                    + GlobalLockManager.engineCapabilities(name)
                            .map(EnginesCommand::describe)
                            .orElse("unknown"));
        }
        return 0;
    }

    private static String describe(EngineCapabilities capabilities) {
        return capabilities.all().stream().map(EnginesCommand::kebab).collect(Collectors.joining(", "))
                + (capabilities.has(Capability.LEASE_TIME)
                        ? "; minimum lease time " + Durations.format(capabilities.minimumLeaseTime())
                        : "");
    }

    private static String kebab(Capability capability) {
        return capability.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
