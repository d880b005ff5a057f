/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A client certificate given as PEM files ({@code cert-file}, {@code key-file}) written as a
 * temporary PKCS12 key store for ZooKeeper's client, which reads key stores from files only: owner
 * read/write only, under a random password that lives in memory, deleted when the engine closes.
 * Not thread-safe; one per engine.
 */
final class ClientKeyStore implements AutoCloseable {
    private static final String[] KEY_TYPES = {"RSA", "EC", "RSASSA-PSS", "EdDSA", "Ed25519", "DSA"};

    private final Path file;
    private final char[] password;

    private ClientKeyStore(Path file, char[] password) {
        this.file = file;
        this.password = password;
    }

    /** Writes the key manager's (first) key and certificate chain to a temporary PKCS12 file. */
    static ClientKeyStore write(X509ExtendedKeyManager keys) throws IOException, GeneralSecurityException {
        String alias = null;
        for (String type : KEY_TYPES) {
            String[] aliases = keys.getClientAliases(type, null);
            if (aliases != null && aliases.length > 0) {
                alias = aliases[0];
                break;
            }
        }
        if (alias == null) {
            throw new GeneralSecurityException("the client certificate's key is of no type a key store holds");
        }
        PrivateKey key = keys.getPrivateKey(alias);
        X509Certificate[] chain = keys.getCertificateChain(alias);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        char[] password =
                Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, password, chain);
        Path file = Files.createTempFile(
                "globallock-zookeeper-",
                ".p12",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            store.store(out, password);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new ClientKeyStore(file, password);
    }

    Path file() {
        return file;
    }

    /** The random password, for ZooKeeper's client configuration only. */
    String password() {
        return new String(password);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public String toString() {
        return "ClientKeyStore{" + file + "}";
    }
}
