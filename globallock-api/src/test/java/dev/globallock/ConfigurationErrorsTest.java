/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every configuration mistake fails at load time, all at once, naming the key and what was expected. */
class ConfigurationErrorsTest {
    private static GlobalLockManager yaml(String text) {
        return GlobalLockManager.fromYaml(new StringReader(text));
    }

    private static LockConfigException failure(Runnable load) {
        try {
            load.run();
        } catch (LockConfigException e) {
            return e;
        }
        throw new AssertionError("no LockConfigException");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsKeyPath() {
        LockConfigException e = failure(() -> yaml(String.join(
                "\n",
                "engine: memory",
                "defaults:",
                "  wait-time: five seconds",
                "  lease-time: 0s",
                "watchdog:",
                "  lease: 30",
                "operation-timout: 5s",
                "memory:",
                "  namespace: [a, b]")));
        assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "defaults.wait-time was 'five seconds' but it is not a duration: use a whole number and a"
                                + " unit (ms, s, m, h, d), such as 500ms or 5s, or ISO-8601 such as PT5S",
                        "defaults.lease-time was '0ms' but it must be longer than zero; leave it out for a watchdog lease",
                        "watchdog.lease was '30' but it must be a duration with a unit, such as 500ms, 5s, 2m, 1h, 1d or PT5S",
                        "memory.namespace was '[a, b]' but it must be a text value",
                        "operation-timout was set but it is not a known key: did you mean 'operation-timeout'?");
        assertThat(e).hasMessageStartingWith("invalid globallock configuration (5 problems):");
    }

    @Test
    void unknownEngineListsWhatWasFoundAndTheArtifactThatAddsIt() {
        LockConfigException e = failure(() -> GlobalLockManager.create(Map.of("engine", "etcd")));
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0))
                .startsWith("engine was 'etcd' but no engine of that name is on the class path; found: ")
                .contains("memory")
                .contains("(add the dev.globallock:globallock-etcd artifact for 'etcd')");
        LockConfigException unknown = failure(() -> GlobalLockManager.create(Map.of("engine", "mongo")));
        assertThat(unknown.problems().get(0)).doesNotContain("artifact");
    }

    @Test
    void missingEngineIsAnError() {
        LockConfigException e = failure(() -> GlobalLockManager.create(Map.of("key-prefix", "x")));
        assertThat(e.problems().get(0)).startsWith("engine was missing but it is required: the name of a lock engine");
    }

    @Test
    @DisplayName("'engine:' without a value is a configuration error listing the engines found")
    void emptyEngineIsAConfigurationError() {
        LockConfigException e = failure(() -> yaml("engine:\n"));
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0))
                .startsWith("engine was empty but it is required: the name of a lock engine: ")
                .contains("memory");
        Map<String, Object> withNull = new java.util.HashMap<>();
        withNull.put("engine", null);
        assertThat(failure(() -> GlobalLockManager.create(withNull)).problems())
                .containsExactlyElementsOf(e.problems());
    }

    @Test
    @DisplayName("a key prefix follows the lock names' character rule, in configuration and in the builder")
    void keyPrefixWithAControlCharacterIsRejected() {
        LockConfigException e =
                failure(() -> GlobalLockManager.create(Map.of("engine", "memory", "key-prefix", "billing\u0007:")));
        assertThat(e.problems())
                .containsExactly("key-prefix was 'billing\\u0007:' but it contains the control character U+0007 at"
                        + " index 7; like lock names, the key prefix must be printable");
        assertThat(failure(() -> yaml("engine: memory\nkey-prefix: \"a\\tb\"\n"))
                        .problems())
                .containsExactly("key-prefix was 'a\\u0009b' but it contains the control character U+0009 at index 1;"
                        + " like lock names, the key prefix must be printable");
        assertThatThrownBy(() -> GlobalLockManager.builder().keyPrefix("x\ny"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key-prefix was 'x\\u000ay' but it contains the control character U+000A at index 1;"
                        + " like lock names, the key prefix must be printable");
        assertThatThrownBy(() -> GlobalLockManager.builder().keyPrefix("half\uD800"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key-prefix was ")
                .hasMessageContaining("unpaired surrogate at index 4");
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .config(Map.of("engine", "memory"))
                .keyPrefix("billing:\uD83D\uDD12 ")
                .build()) {
            assertThat(locks.tryLock("x").isLocked()).isTrue();
        }
    }

    @Test
    @DisplayName("an alias bomb is refused by SnakeYAML's alias limit, and the message says so")
    void aliasBombNamesTheLimit() {
        StringBuilder bomb = new StringBuilder("engine: memory\na: &a [\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char level = 'b'; level <= 'j'; level++) {
            char previous = (char) (level - 1);
            bomb.append(level)
                    .append(": &")
                    .append(level)
                    .append(" [*")
                    .append(String.join(", *", java.util.Collections.nCopies(9, String.valueOf(previous))))
                    .append("]\n");
        }
        LockConfigException e = failure(() -> yaml(bomb.toString()));
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0))
                .startsWith("malformed YAML in the YAML reader: it has too many aliases: more than 20")
                .contains("SnakeYAML's limit (maxAliasesForCollections)")
                .contains("a protection against alias bombs");
    }

    @Test
    @DisplayName("a directory given as the configuration file is named as a directory")
    void directoryIsNotAConfigurationFile(@TempDir Path dir) {
        LockConfigException e = failure(() -> GlobalLockManager.fromYaml(dir));
        assertThat(e.problems())
                .containsExactly("the configuration file " + dir + " is a directory: give the path of a YAML file");
        assertThat(failure(() -> ConfigLoader.readYaml(dir)).problems()).isEqualTo(e.problems());
    }

    @Test
    void environmentVariablesAreSubstitutedWithDefaults() {
        Map<String, String> env = Map.of("PREFIX", "billing:");
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .config(Map.of(
                        "engine", "memory",
                        "key-prefix", "${PREFIX}",
                        "memory", Map.of("namespace", "${NAMESPACE:-env-test}")))
                .environment(env::get)
                .build()) {
            assertThat(locks.toString()).contains("memory:env-test");
            try (LockHandle lock = locks.tryLock("x")) {
                assertThat(locks.inspect("x").orElseThrow().isHeld()).isTrue();
            }
        }
        LockConfigException e = failure(() -> GlobalLockManager.builder()
                .config(Map.of("engine", "memory", "key-prefix", "${UNSET_VARIABLE}"))
                .environment(name -> null)
                .build());
        assertThat(e.problems())
                .containsExactly("key-prefix was '${UNSET_VARIABLE}' but environment variable UNSET_VARIABLE is not"
                        + " set (write ${UNSET_VARIABLE:-default} for a default)");
    }

    @Test
    void malformedYamlNamesThePositionButNeverEchoesTheText() {
        LockConfigException e = failure(() -> yaml("engine: redis\nredis:\n  password: \"s3cr3t\n  nodes: [x"));
        assertThat(e).hasMessageContaining("malformed YAML").hasMessageContaining("line ");
        assertThat(e.getMessage()).doesNotContain("s3cr3t");
        assertThat(failure(() -> yaml("")).getMessage()).contains("empty");
        assertThat(failure(() -> yaml("- a\n- b")).getMessage()).contains("must be a mapping");
        assertThat(failure(() -> yaml("engine: memory\nengine: redis")).getMessage())
                .contains("duplicate");
    }

    @Test
    void aMisspelledSecretKeyNeverShowsItsValue() {
        LockConfigException e = failure(
                () -> GlobalLockManager.create(Map.of("engine", "memory", "memory", Map.of("pasword", "hunter2"))));
        assertThat(e.getMessage())
                .doesNotContain("hunter2")
                .contains("memory.pasword was set but it is not a known key");
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThat(failure(() -> GlobalLockManager.fromYaml(missing)).getMessage())
                .contains(missing.toString())
                .contains("does not exist");
    }

    @Test
    void theReferenceConfigurationIsValid(@TempDir Path dir) throws Exception {
        Path reference = dir.resolve("reference.yaml");
        try (var in = GlobalLockManager.class.getResourceAsStream("globallock-reference.yaml")) {
            assertThat(in).as("reference yaml in the api jar").isNotNull();
            Files.copy(in, reference);
        }
        try (GlobalLockManager locks = GlobalLockManager.fromYaml(reference)) {
            assertThat(locks.engineName()).isEqualTo("memory");
        }
    }

    @Test
    void builderOverridesConfiguration() {
        try (GlobalLockManager locks = GlobalLockManager.builder()
                .config(Map.of("engine", "memory", "defaults", Map.of("wait-time", "forever")))
                .defaultWaitTime(Duration.ZERO)
                .build()) {
            try (LockHandle held = locks.lock("busy")) {
                GlobalLockManager other = GlobalLockManager.inMemory();
                try (other) {
                    assertThatThrownBy(() -> other.lock(
                                    "busy", LockOptions.builder().noWait().build()))
                            .isInstanceOf(LockTimeoutException.class);
                }
            }
        }
        assertThatThrownBy(() -> GlobalLockManager.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> GlobalLockManager.builder().config(Map.of()).config(Map.of()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void availableEnginesListsTheMemoryEngine() {
        assertThat(GlobalLockManager.availableEngines()).containsKey("memory");
        assertThat(List.copyOf(GlobalLockManager.availableEngines().keySet())).isSorted();
    }
}
