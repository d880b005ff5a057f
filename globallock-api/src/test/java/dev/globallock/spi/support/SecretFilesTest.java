/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.LockConfigException;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    private static final String SECRET = "s3cr3t-From-File";

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path file = Files.createTempFile(dir, "secret", ".txt");
        Files.writeString(file, content);
        return file;
    }

    private static Optional<Secret> secret(Map<String, ?> values) {
        ConfigSection section = ConfigSection.of("redis", values);
        Optional<Secret> secret = SecretFiles.secret(section, "password");
        section.validate();
        return secret;
    }

    @Test
    void oneTrailingLineBreakIsNotPartOfTheSecret() throws IOException {
        assertThat(SecretFiles.read(file(SECRET + "\n")).reveal()).isEqualTo(SECRET);
        assertThat(SecretFiles.read(file(SECRET + "\r\n")).reveal()).isEqualTo(SECRET);
        assertThat(SecretFiles.read(file(SECRET)).reveal()).isEqualTo(SECRET);
        assertThat(SecretFiles.read(file(SECRET + "\n\n")).reveal()).isEqualTo(SECRET + "\n");
        assertThat(SecretFiles.read(file(" " + SECRET + " \n")).reveal()).isEqualTo(" " + SECRET + " ");
    }

    @Test
    void theSecretComesInlineOrFromTheFile() throws IOException {
        assertThat(secret(Map.of("password", "inline")).orElseThrow().reveal()).isEqualTo("inline");
        assertThat(secret(Map.of("password-file", file(SECRET + "\n").toString()))
                        .orElseThrow()
                        .reveal())
                .isEqualTo(SECRET);
        assertThat(secret(Map.of())).isEmpty();
    }

    @Test
    void bothIsOneTooMany() throws IOException {
        Path file = file(SECRET);
        assertThatThrownBy(() -> secret(Map.of("password", "inline", "password-file", file.toString())))
                .isInstanceOf(LockConfigException.class)
                .hasMessage("invalid globallock configuration: redis.password-file was '" + file
                        + "' but password is set too: give the secret once, inline or in a file");
    }

    @Test
    void aMissingEmptyOrDirectoryFileIsNamedAndItsContentNeverShown() throws IOException {
        Path missing = dir.resolve("missing");
        assertThat(problem(missing)).isEqualTo("redis.password-file was '" + missing + "' but the file does not exist");
        Path empty = file("\n");
        assertThat(problem(empty))
                .isEqualTo("redis.password-file was '" + empty + "' but the file is empty: it must hold the secret");
        assertThat(problem(dir)).isEqualTo("redis.password-file was '" + dir + "' but it is a directory, not a file");
        Path big = file("x".repeat(SecretFiles.MAX_BYTES + 1));
        assertThat(problem(big))
                .startsWith("redis.password-file was '" + big + "' but it is " + (SecretFiles.MAX_BYTES + 1)
                        + " bytes long");
    }

    @Test
    void theSecretNeverAppearsInMessagesOrToString() throws IOException {
        Path file = file(SECRET + "\n");
        Secret secret = secret(Map.of("password-file", file.toString())).orElseThrow();
        assertThat(secret.toString()).doesNotContain(SECRET);
        ConfigSection section = ConfigSection.of("redis", Map.of("password-file", file.toString(), "password", SECRET));
        SecretFiles.secret(section, "password");
        Throwable failure = catchThrowable(section::validate);
        assertThat(failure).hasMessageNotContaining(SECRET);
    }

    private String problem(Path file) {
        Throwable failure = catchThrowable(() -> secret(Map.of("password-file", file.toString())));
        assertThat(failure).isInstanceOf(LockConfigException.class);
        return ((LockConfigException) failure).problems().get(0);
    }
}
