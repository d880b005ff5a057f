/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Secrets given in the configuration or, as mounted secrets are, in a file: {@code password:
 * ${REDIS_PASSWORD}} or {@code password-file: /run/secrets/redis}. The file holds the secret alone;
 * one trailing line break is not part of it. Neither the secret nor the file's content appears in
 * any message: problems name the key and the file. Stateless and thread-safe.
 */
public final class SecretFiles {

    /** A secret file longer than this is refused: it is not one password. */
    static final int MAX_BYTES = 64 * 1024;

    private SecretFiles() {}

    /**
     * The secret under {@code key} (e.g. {@code password}), or read from the file under {@code
     * key-file} (e.g. {@code password-file}); empty when neither is set. Problems are recorded in
     * {@code section} and reported by its {@link ConfigSection#validate()}: both keys set, or a file
     * that is missing, unreadable, a directory, empty, longer than 64 KiB or not UTF-8.
     */
    public static Optional<Secret> secret(ConfigSection section, String key) {
        Optional<Secret> inline = section.secret(key);
        String fileKey = key + "-file";
        Optional<String> file = section.string(fileKey);
        if (file.isEmpty()) {
            return inline;
        }
        if (inline.isPresent()) {
            section.problem(fileKey, file.get(), key + " is set too: give the secret once, inline or in a file");
            return inline;
        }
        try {
            Secret secret = read(Path.of(file.get()));
            if (secret.reveal().isEmpty()) {
                section.problem(fileKey, file.get(), "the file is empty: it must hold the secret");
                return Optional.empty();
            }
            return Optional.of(secret);
        } catch (IOException | RuntimeException e) {
            section.problem(fileKey, file.get(), problemWith(e));
            return Optional.empty();
        }
    }

    /**
     * The secret in {@code file}: its UTF-8 content without one trailing {@code \n} or {@code \r\n}
     * (other whitespace is kept: it may be part of the secret).
     *
     * @throws IOException when the file cannot be read, is a directory, is longer than 64 KiB or is
     *     not UTF-8 (the message names the file, never its content)
     */
    public static Secret read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new Unusable(file, "it is a directory, not a file");
        }
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new Unusable(
                    file,
                    "it is " + size + " bytes long: a secret file holds one secret (at most " + MAX_BYTES + " bytes)");
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Unusable(file, "the file is not UTF-8 text");
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return Secret.of(text);
    }

    /** The reason a file could not be read, in words that name no content. */
    static String problemWith(Exception e) {
        if (e instanceof Unusable) {
            return ((Unusable) e).reason;
        }
        if (e instanceof NoSuchFileException) {
            return "the file does not exist";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "the file cannot be read: permission denied";
        }
        return "the file cannot be read: " + e.getClass().getSimpleName();
    }

    /** A file that was read but cannot hold a secret; the message names the file and the reason. */
    private static final class Unusable extends IOException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Unusable(Path file, String reason) {
            super(file + ": " + reason);
            this.reason = reason;
        }
    }
}
