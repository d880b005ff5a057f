/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.TlsSettings.Loaded;
import dev.globallock.spi.support.TlsSettings.StoreType;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Reads a {@code tls} section into {@link TlsSettings}, recording each problem in the section. */
final class TlsSettingsReader {

    private TlsSettingsReader() {}

    /** See {@link TlsSettings#read(ConfigSection, boolean)}. */
    static TlsSettings read(ConfigSection tls, boolean impliedByEndpoints) {
        Loaded loaded = new Loaded();
        Optional<Boolean> explicit = tls.has("enabled") ? Optional.of(tls.bool("enabled", true)) : Optional.empty();
        Optional<String> caFile = tls.string("ca-file");
        Optional<String> certFile = tls.string("cert-file");
        Optional<String> keyFile = tls.string("key-file");
        Optional<String> trustStore = tls.string("trust-store");
        Optional<String> keyStore = tls.string("key-store");
        Optional<Secret> trustStorePassword = SecretFiles.secret(tls, "trust-store-password");
        Optional<Secret> keyStorePassword = SecretFiles.secret(tls, "key-store-password");
        Optional<String> trustStoreTypeText = tls.string("trust-store-type");
        Optional<String> keyStoreTypeText = tls.string("key-store-type");
        // the ZooKeeper engine's older form: a PEM "trust store" is a ca-file
        if (trustStoreTypeText
                        .filter(type -> type.strip().equalsIgnoreCase("pem"))
                        .isPresent()
                && trustStore.isPresent()
                && caFile.isEmpty()) {
            caFile = trustStore;
            trustStore = Optional.empty();
            trustStoreTypeText = Optional.empty();
        }
        StoreType trustStoreType =
                trustStoreTypeText.isEmpty() ? null : tls.choice("trust-store-type", StoreType.class, null);
        StoreType keyStoreType = tls.choice("key-store-type", StoreType.class, null);
        loaded.hostnameVerification = tls.bool("hostname-verification", true);

        List<String> given = new ArrayList<>();
        caFile.ifPresent(v -> given.add("ca-file"));
        certFile.ifPresent(v -> given.add("cert-file"));
        keyFile.ifPresent(v -> given.add("key-file"));
        trustStore.ifPresent(v -> given.add("trust-store"));
        keyStore.ifPresent(v -> given.add("key-store"));
        trustStorePassword.ifPresent(v -> given.add("trust-store-password"));
        keyStorePassword.ifPresent(v -> given.add("key-store-password"));
        trustStoreTypeText.ifPresent(v -> given.add("trust-store-type"));
        keyStoreTypeText.ifPresent(v -> given.add("key-store-type"));
        loaded.enabled = explicit.orElse(impliedByEndpoints || !given.isEmpty());
        if (explicit.isPresent() && !explicit.get()) {
            if (impliedByEndpoints) {
                tls.problem(
                        "enabled",
                        false,
                        "the endpoints use TLS (rediss:// or https://): set it to true or leave it out");
            } else if (!given.isEmpty()) {
                tls.problem(
                        "enabled",
                        false,
                        String.join(", ", given)
                                + (given.size() == 1
                                        ? " is set: enable TLS or remove it"
                                        : " are set: enable TLS or remove them"));
            }
            return TlsSettings.disabled();
        }
        if (!loaded.enabled) {
            return TlsSettings.disabled();
        }

        boolean usable = true;
        if (caFile.isPresent() && trustStore.isPresent()) {
            tls.problem(
                    "trust-store",
                    trustStore.get(),
                    "ca-file is set too: give the trusted CAs once, as a PEM file or as a trust store");
            usable = false;
        }
        if ((certFile.isPresent() || keyFile.isPresent()) && keyStore.isPresent()) {
            tls.problem(
                    "key-store",
                    keyStore.get(),
                    (certFile.isPresent() ? "cert-file" : "key-file") + " is set too: give the client certificate"
                            + " once, as PEM files (cert-file and key-file) or as a key store");
            usable = false;
        }
        if (certFile.isPresent() && keyFile.isEmpty()) {
            tls.missing("key-file", "the private key (PEM) of the client certificate in cert-file");
            usable = false;
        }
        if (keyFile.isPresent() && certFile.isEmpty()) {
            tls.missing("cert-file", "the client certificate (PEM) that goes with the key in key-file");
            usable = false;
        }
        if (keyStore.isPresent() && keyStorePassword.isEmpty() && !tls.has("key-store-password-file")) {
            tls.missing("key-store-password", "the key store's password (or key-store-password-file)");
            usable = false;
        }
        if (trustStorePassword.isPresent() && trustStore.isEmpty()) {
            tls.problem("trust-store-password", "******", "trust-store is not set");
        }
        if (keyStorePassword.isPresent() && keyStore.isEmpty()) {
            tls.problem("key-store-password", "******", "key-store is not set");
        }
        if (trustStoreTypeText.isPresent() && trustStore.isEmpty()) {
            tls.problem("trust-store-type", trustStoreTypeText.get(), "trust-store is not set");
        }
        if (keyStoreTypeText.isPresent() && keyStore.isEmpty()) {
            tls.problem("key-store-type", keyStoreTypeText.get(), "key-store is not set");
        }

        loaded.caFile = caFile.map(Path::of).orElse(null);
        loaded.certFile = certFile.map(Path::of).orElse(null);
        loaded.keyFile = keyFile.map(Path::of).orElse(null);
        loaded.trustStore = trustStore.map(Path::of).orElse(null);
        loaded.trustStoreType =
                trustStore.isPresent() ? (trustStoreType != null ? trustStoreType : typeOf(trustStore.get())) : null;
        loaded.trustStorePassword = trustStorePassword.orElse(null);
        loaded.keyStore = keyStore.map(Path::of).orElse(null);
        loaded.keyStoreType =
                keyStore.isPresent() ? (keyStoreType != null ? keyStoreType : typeOf(keyStore.get())) : null;
        loaded.keyStorePassword = keyStorePassword.orElse(null);
        if (!usable) {
            return new TlsSettings(loaded);
        }

        KeyStore trust = null;
        boolean trustLoaded = true;
        if (caFile.isPresent()) {
            trust = TlsMaterial.pemTrust(tls, "ca-file", caFile.get());
            trustLoaded = trust != null;
        } else if (trustStore.isPresent()) {
            trust = TlsMaterial.storeTrust(tls, trustStore.get(), loaded.trustStoreType, loaded.trustStorePassword);
            trustLoaded = trust != null;
        }
        KeyManagerFactory keys = null;
        boolean keysLoaded = true;
        if (certFile.isPresent()) {
            keys = TlsMaterial.pemKeys(tls, certFile.get(), keyFile.get());
            keysLoaded = keys != null;
        } else if (keyStore.isPresent() && loaded.keyStorePassword != null) {
            keys = TlsMaterial.storeKeys(tls, keyStore.get(), loaded.keyStoreType, loaded.keyStorePassword);
            keysLoaded = keys != null;
        } else if (keyStore.isPresent()) {
            keysLoaded = false; // its password file could not be read: recorded already
        }
        if (!trustLoaded || !keysLoaded) {
            return new TlsSettings(loaded);
        }
        try {
            TrustManagerFactory trustFactory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustFactory.init(trust); // null: the JVM's default CAs
            X509ExtendedTrustManager pkix = TlsMaterial.extended(trustFactory.getTrustManagers());
            loaded.trustManager = loaded.hostnameVerification ? pkix : new IgnoringHostNames(pkix);
            loaded.keyManager = keys == null ? null : TlsMaterial.extendedKeyManager(keys.getKeyManagers());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    loaded.keyManager == null ? null : new KeyManager[] {loaded.keyManager},
                    new TrustManager[] {loaded.trustManager},
                    null);
            loaded.sslContext = context;
        } catch (GeneralSecurityException e) {
            tls.problem(
                    "enabled",
                    true,
                    "the JVM cannot make a TLS context: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return new TlsSettings(loaded);
    }

    private static StoreType typeOf(String file) {
        return file.toLowerCase(Locale.ROOT).endsWith(".jks") ? StoreType.JKS : StoreType.PKCS12;
    }
}
