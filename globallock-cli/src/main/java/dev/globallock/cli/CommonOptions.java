package dev.globallock.cli;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.Option;

/**
 * The options every subcommand shares, and the configuration lookup: {@code --config}, then {@code
 * GLOBALLOCK_CONFIG}, then {@code ./globallock.yaml}, else the {@code file} engine with its defaults.
 */
final class CommonOptions {
    static final String ENVIRONMENT_VARIABLE = "GLOBALLOCK_CONFIG";
    static final String DEFAULT_FILE = "globallock.yaml";

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "The configuration (YAML). Default: $GLOBALLOCK_CONFIG, else ./globallock.yaml, "
                    + "else the host-local file engine.")
    Path config;

    @Option(
            names = {"-e", "--engine"},
            paramLabel = "NAME",
            description = "The engine to use, overriding the configuration's 'engine' (its section is used).")
    String engine;

    @Option(
            names = {"-v", "--verbose"},
            description = "Log what the engines do, and print stack traces with errors.")
    void verbose(boolean verbose) {
        Main.setVerbose(verbose);
    }

    /** Where the configuration comes from, for messages; "defaults" when none was found. */
    String source() {
        Path file = configFile();
        String from = file == null ? "no configuration file" : file.toString();
        if (engine != null) {
            return "--engine " + engine + " with " + from;
        }
        return file == null ? "no configuration file: the file engine with its defaults" : from;
    }

    private Path configFile() {
        if (config != null) {
            return config;
        }
        String fromEnvironment = System.getenv(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        Path local = Path.of(DEFAULT_FILE);
        return Files.isRegularFile(local) ? local : null;
    }

    /** The configuration map, with {@code --engine} applied. */
    Map<String, Object> load() {
        Path file = configFile();
        Map<String, Object> map = file == null ? new LinkedHashMap<>(Map.of("engine", "file")) : read(file);
        if (engine != null) {
            map.put("engine", engine);
        }
        return map;
    }

    /**
     * Opens a manager on the configuration; the customizer may override settings.
     *
     * @throws CliException naming the configuration's source when it is wrong
     */
    GlobalLockManager open(Consumer<GlobalLockManager.Builder> customizer) {
        try {
            GlobalLockManager.Builder builder = GlobalLockManager.builder().config(load());
            customizer.accept(builder);
            return builder.build();
        } catch (LockConfigException e) {
            throw new CliException(
                    ExitCodes.CONFIG,
                    "invalid configuration (" + source() + "): " + String.join("; ", e.problems()),
                    e);
        }
    }

    private static Map<String, Object> read(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        Object document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (NoSuchFileException e) {
            throw new LockConfigException("the configuration file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new LockConfigException(
                    "the configuration file " + file + " could not be read: " + e.getMessage(), e);
        } catch (MarkedYAMLException e) {
            // the problem and its position only: SnakeYAML's snippet could show a secret
            Mark mark = e.getProblemMark();
            String where =
                    mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            throw new LockConfigException("malformed YAML in " + file + where + ": " + e.getProblem(), null);
        } catch (YAMLException e) {
            throw new LockConfigException(
                    "malformed YAML in " + file + ": " + e.getClass().getSimpleName(), null);
        }
        if (document == null) {
            throw new LockConfigException(
                    "the configuration file " + file + " is empty: it needs at least 'engine: <name>'", null);
        }
        if (!(document instanceof Map)) {
            throw new LockConfigException(
                    "the configuration file " + file + " must be a mapping of keys such as 'engine: redis'", null);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        ((Map<?, ?>) document).forEach((k, v) -> map.put(String.valueOf(k), v));
        return map;
    }
}
