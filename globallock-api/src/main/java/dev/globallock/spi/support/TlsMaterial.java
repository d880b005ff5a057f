/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.TlsSettings.StoreType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** Loads PEM files and PKCS12/JKS stores into key stores and managers, recording each problem under its key. */
final class TlsMaterial {

    /** The in-memory key store's entry password: not a user secret. */
    private static final char[] ENTRY_PASSWORD = "globallock-in-memory".toCharArray();

    private TlsMaterial() {}

    /** The file's bytes, or null with a problem recorded under {@code key}. */
    private static byte[] readFile(ConfigSection tls, String key, String file) {
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
            tls.problem(key, file, "it is a directory, not a file");
            return null;
        }
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            tls.problem(key, file, "the file does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            tls.problem(key, file, "the file cannot be read: permission denied");
        } catch (IOException | RuntimeException e) {
            tls.problem(key, file, "the file cannot be read: " + e.getClass().getSimpleName());
        }
        return null;
    }

    static KeyStore pemTrust(ConfigSection tls, String key, String file) {
        byte[] bytes = readFile(tls, key, file);
        if (bytes == null) {
            return null;
        }
        try {
            List<X509Certificate> certificates = PemFiles.certificates(new String(bytes, StandardCharsets.US_ASCII));
            KeyStore store = emptyStore();
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return store;
        } catch (PemFiles.PemException e) {
            tls.problem(key, file, e.getMessage());
        } catch (GeneralSecurityException | IOException e) {
            tls.problem(key, file, "its certificates cannot be used: " + e.getMessage());
        }
        return null;
    }

    static KeyStore storeTrust(ConfigSection tls, String file, StoreType type, Secret password) {
        KeyStore store = loadStore(tls, "trust-store", file, type, password);
        if (store == null) {
            return null;
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias) || store.getCertificate(alias) != null) {
                    return store;
                }
            }
            tls.problem(
                    "trust-store",
                    file,
                    password == null
                            ? "it shows no certificate without a password (PKCS12 encrypts them): set"
                                    + " trust-store-password"
                            : "it holds no certificate to trust");
        } catch (GeneralSecurityException e) {
            tls.problem("trust-store", file, "its entries cannot be read: " + e.getMessage());
        }
        return null;
    }

    static KeyManagerFactory pemKeys(ConfigSection tls, String certFile, String keyFile) {
        byte[] certBytes = readFile(tls, "cert-file", certFile);
        byte[] keyBytes = readFile(tls, "key-file", keyFile);
        if (certBytes == null || keyBytes == null) {
            return null;
        }
        List<X509Certificate> chain;
        try {
            chain = PemFiles.certificates(new String(certBytes, StandardCharsets.US_ASCII));
        } catch (PemFiles.PemException e) {
            tls.problem("cert-file", certFile, e.getMessage());
            return null;
        }
        PrivateKey key;
        try {
            key = PemFiles.privateKey(new String(keyBytes, StandardCharsets.US_ASCII));
        } catch (PemFiles.PemException e) {
            tls.problem("key-file", keyFile, e.getMessage());
            return null;
        } finally {
            java.util.Arrays.fill(keyBytes, (byte) 0);
        }
        if (!matches(key, chain.get(0).getPublicKey())) {
            tls.problem(
                    "key-file",
                    keyFile,
                    "it is not the private key of the certificate in cert-file ("
                            + chain.get(0).getSubjectX500Principal() + ")");
            return null;
        }
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("client", key, ENTRY_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, ENTRY_PASSWORD);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            tls.problem("key-file", keyFile, "the key and certificate cannot be used: " + e.getMessage());
            return null;
        }
    }

    static KeyManagerFactory storeKeys(ConfigSection tls, String file, StoreType type, Secret password) {
        KeyStore store = loadStore(tls, "key-store", file, type, password);
        if (store == null) {
            return null;
        }
        char[] chars = password.reveal().toCharArray();
        try {
            boolean hasKey = false;
            for (String alias : Collections.list(store.aliases())) {
                hasKey |= store.isKeyEntry(alias);
            }
            if (!hasKey) {
                tls.problem("key-store", file, "it holds no private key entry");
                return null;
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, chars);
            return factory;
        } catch (UnrecoverableKeyException e) {
            tls.problem(
                    "key-store",
                    file,
                    "its private key cannot be opened with key-store-password: the key must have the store's password");
        } catch (GeneralSecurityException e) {
            tls.problem(
                    "key-store",
                    file,
                    "its entries cannot be read: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
        return null;
    }

    private static KeyStore loadStore(ConfigSection tls, String key, String file, StoreType type, Secret password) {
        byte[] bytes = readFile(tls, key, file);
        if (bytes == null) {
            return null;
        }
        char[] chars = password == null ? null : password.reveal().toCharArray();
        try {
            KeyStore store = KeyStore.getInstance(type.name());
            store.load(new ByteArrayInputStream(bytes), chars);
            return store;
        } catch (IOException e) {
            if (isWrongPassword(e)) {
                tls.problem(
                        key,
                        file,
                        password == null
                                ? "it cannot be opened without a password: set " + key + "-password"
                                : key + "-password does not open it: the password is wrong");
            } else {
                tls.problem(
                        key,
                        file,
                        "it is not a " + type.name() + " store (" + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
        } catch (GeneralSecurityException e) {
            tls.problem(
                    key,
                    file,
                    "it cannot be loaded as a " + type.name() + " store: "
                            + e.getClass().getSimpleName());
        } finally {
            if (chars != null) {
                java.util.Arrays.fill(chars, '\0');
            }
        }
        return null;
    }

    /** What the JDK's PKCS12 and JKS loaders throw for a wrong password. */
    private static boolean isWrongPassword(IOException e) {
        if (e.getCause() instanceof UnrecoverableKeyException) {
            return true;
        }
        String message = e.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("password");
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** Whether the private key signs what the public key verifies. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                algorithm = key.getAlgorithm();
                break;
            case "DSA":
                algorithm = "SHA256withDSA";
                break;
            default:
                return true; // cannot check here: the handshake will
        }
        try {
            byte[] challenge = "globallock key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static X509ExtendedTrustManager extended(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) manager;
            }
        }
        throw new GeneralSecurityException("the JVM's trust manager factory made no X509ExtendedTrustManager");
    }

    static X509ExtendedKeyManager extendedKeyManager(KeyManager[] managers) throws GeneralSecurityException {
        for (KeyManager manager : managers) {
            if (manager instanceof X509ExtendedKeyManager) {
                return (X509ExtendedKeyManager) manager;
            }
        }
        throw new GeneralSecurityException("the JVM's key manager factory made no X509ExtendedKeyManager");
    }
}
