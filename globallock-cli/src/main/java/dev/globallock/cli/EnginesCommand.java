package dev.globallock.cli;

import dev.globallock.Capability;
import dev.globallock.Durations;
import dev.globallock.GlobalLockException;
import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code globallock engines}: the engines on the class path and their capabilities. Capabilities
 * belong to an open engine, so each engine is opened briefly on its section of the configuration
 * (an empty one when the configuration has none); one that cannot open within 5 s says why.
 */
@Command(
        name = "engines",
        mixinStandardHelpOptions = true,
        description =
                "Lists the engines found and their capabilities (each opened briefly on its configuration section).")
final class EnginesCommand implements Callable<Integer> {
    private static final long OPEN_TIMEOUT_SECONDS = 5;

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
            System.out.println("    capabilities: " + capabilities(name, config));
        }
        return 0;
    }

    private static String capabilities(String name, Map<String, Object> config) {
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("engine", name);
        if (config.get(name) != null) {
            own.put(name, config.get(name));
        }
        CompletableFuture<String> opened = CompletableFuture.supplyAsync(() -> {
            try (GlobalLockManager locks = GlobalLockManager.create(own)) {
                return locks.capabilities().all().stream()
                                .map(EnginesCommand::kebab)
                                .collect(Collectors.joining(", "))
                        + (locks.capabilities().has(Capability.LEASE_TIME)
                                ? "; minimum lease time "
                                        + Durations.format(locks.capabilities().minimumLeaseTime())
                                : "");
            }
        });
        try {
            return opened.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LockConfigException) {
                return "unknown: it needs configuration (" + String.join("; ", ((LockConfigException) cause).problems())
                        + ")";
            }
            if (cause instanceof GlobalLockException) {
                return "unknown: it did not open (" + Main.oneLine(cause.getMessage()) + ")";
            }
            return "unknown: it did not open (" + cause + ")";
        } catch (TimeoutException e) {
            opened.cancel(true);
            return "unknown: it did not open within " + OPEN_TIMEOUT_SECONDS + "s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown: interrupted";
        }
    }

    private static String kebab(Capability capability) {
        return capability.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
