/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines are usage errors (64), bad configurations configuration errors (78), each in words. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UsageAndConfigErrorsIT {
    @TempDir
    Path directory;

    private Tool tool;

    @BeforeEach
    void newTool() {
        tool = new Tool(directory, Map.of());
    }

    @AfterEach
    void killLeftovers() throws Exception {
        tool.close();
    }

    @Test
    @DisplayName("--wait with a value that is not a duration is a usage error with the library's reason")
    void badWaitIsAUsageError() throws Exception {
        Tool.Result unit = tool.run("exec", "--name", "x", "--wait", "5sec", "--", "true");
        assertThat(unit.exitCode).as(unit.toString()).isEqualTo(64);
        assertThat(unit.err)
                .contains("Invalid value for option '--wait': '5sec' is not a duration: use a whole number and a unit"
                        + " (ms, s, m, h, d), such as 500ms or 5s, or ISO-8601 such as PT5S, or 'forever'")
                .doesNotContain("unexpected error")
                .doesNotContain("TypeConversionException");
        Tool.Result negative = tool.run("exec", "--name", "x", "-w", "-1s", "--", "true");
        assertThat(negative.exitCode).as(negative.toString()).isEqualTo(64);
        assertThat(negative.err).contains("'-1s' is not a duration").doesNotContain("unexpected error");
        Tool.Result forever = tool.run("exec", "--name", "x", "--wait", "forever", "--", "true");
        assertThat(forever.exitCode).as(forever.toString()).isZero();
    }

    @Test
    @DisplayName("--config naming a directory says it is a directory (exit 78)")
    void configDirectoryIsNamed() throws Exception {
        Tool.Result result = tool.run("status", "--config", directory.toString(), "--name", "x");
        assertThat(result.exitCode).as(result.toString()).isEqualTo(78);
        assertThat(result.err.strip())
                .doesNotContain("\n")
                .contains("the configuration file " + directory + " is a directory")
                .doesNotContain("YAMLException");
    }

    @Test
    @DisplayName("'engine:' without a value and an alias bomb are configuration errors in words (exit 78)")
    void emptyEngineAndAliasBomb() throws Exception {
        tool.write("empty.yaml", "engine:\n");
        Tool.Result empty = tool.run("status", "--config", "empty.yaml", "--name", "x");
        assertThat(empty.exitCode).as(empty.toString()).isEqualTo(78);
        assertThat(empty.err).contains("engine was empty but it is required: the name of a lock engine: etcd, file");

        StringBuilder bomb = new StringBuilder("engine: file\na: &a [lol, lol, lol]\n");
        for (char level = 'b'; level <= 'h'; level++) {
            bomb.append(level).append(": &").append(level).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "*" : ", *").append((char) (level - 1));
            }
            bomb.append("]\n");
        }
        tool.write("bomb.yaml", bomb.toString());
        Tool.Result aliases = tool.run("status", "--config", "bomb.yaml", "--name", "x");
        assertThat(aliases.exitCode).as(aliases.toString()).isEqualTo(78);
        assertThat(aliases.err).contains("it has too many aliases").contains("SnakeYAML's limit");
    }

    @Test
    @DisplayName("the common options are accepted before the subcommand as well as after it")
    void commonOptionsBeforeTheSubcommand() throws Exception {
        tool.write("elsewhere.yaml", "engine: file\nfile:\n  directory: " + directory.resolve("elsewhere") + "\n");
        Tool.Result before = tool.run("--verbose", "--config", "elsewhere.yaml", "exec", "--name", "x", "--", "true");
        assertThat(before.exitCode).as(before.toString()).isZero();
        assertThat(directory.resolve("elsewhere")).isDirectory();

        Tool.Result verboseFirst = tool.run("-v", "exec", "--config", "nope.yaml", "--name", "x", "--", "true");
        assertThat(verboseFirst.exitCode).as(verboseFirst.toString()).isEqualTo(78);
        assertThat(verboseFirst.err)
                .as("--verbose before the subcommand adds the stack trace")
                .contains("\tat dev.globallock.");

        Tool.Result engineFirst = tool.run("--engine", "memory", "status", "--name", "x");
        assertThat(engineFirst.exitCode).as(engineFirst.toString()).isZero();
        assertThat(engineFirst.out).contains("x: free (engine memory)");
    }
}
