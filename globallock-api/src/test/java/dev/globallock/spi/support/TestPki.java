/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates for the api's TLS tests, made in-process once per JVM (the api's tests cannot
 * use globallock-tck's TestCertificates): a CA with server, client, expired and wrong-host
 * certificates, and another CA with a server and a client certificate. Files in a temp dir deleted
 * at JVM exit. Every store's password is {@link #PASSWORD}.
 */
final class TestPki {

    static final String PASSWORD = "store-pw-Zq81";

    static final TestPki INSTANCE = make();

    final Path dir;
    final Entity ca;
    final Entity otherCa;
    /** EC, SANs localhost and 127.0.0.1. */
    final Entity server;
    /** RSA, CN=app; its key also as PKCS#1. */
    final Entity client;
    /** EC, CN=app, its key also as SEC1 EC. */
    final Entity ecClient;

    final Entity expiredServer;
    final Entity wrongHostServer;
    final Entity otherCaServer;
    final Entity otherCaClient;

    /** One certificate, its key, and its files. */
    static final class Entity {
        final String name;
        final KeyPair keys;
        final X509Certificate certificate;
        final List<X509Certificate> chain;
        Path certFile;
        Path keyFile;
        Path pkcs1KeyFile;
        Path sec1KeyFile;
        Path p12;
        Path jks;
        Path trustP12;
        Path trustJks;

        Entity(String name, KeyPair keys, X509Certificate certificate, List<X509Certificate> chain) {
            this.name = name;
            this.keys = keys;
            this.certificate = certificate;
            this.chain = chain;
        }

        /** A context presenting this entity and trusting {@code trusted}'s certificate. */
        SSLContext context(Entity trusted) {
            try {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry(
                        "key", keys.getPrivate(), PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keyStore, PASSWORD.toCharArray());
                KeyStore trustStore = KeyStore.getInstance("PKCS12");
                trustStore.load(null, null);
                trustStore.setCertificateEntry("ca", trusted.certificate);
                TrustManagerFactory trustManagers =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trustStore);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofHours(1));
        Instant until = now.plus(Duration.ofDays(7));
        ca = authority("ca", random, from, until);
        otherCa = authority("other-ca", random, from, until);
        List<GeneralName> local = List.of(
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        server = issue("server", ca, ec(random), local, from, until, random);
        client = issue("client", ca, rsa(random), List.of(), from, until, random);
        ecClient = issue("ec-client", ca, ec(random), List.of(), from, until, random);
        expiredServer = issue(
                "expired-server",
                ca,
                ec(random),
                local,
                now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofDays(1)),
                random);
        wrongHostServer = issue(
                "wrong-host-server",
                ca,
                ec(random),
                List.of(new GeneralName(GeneralName.dNSName, "wrong-host.invalid")),
                from,
                until,
                random);
        otherCaServer = issue("other-ca-server", otherCa, ec(random), local, from, until, random);
        otherCaClient = issue("other-ca-client", otherCa, ec(random), List.of(), from, until, random);
        Files.writeString(
                client.pkcs1KeyFile = dir.resolve("client-key-pkcs1.pem"),
                pem(
                        "RSA PRIVATE KEY",
                        PrivateKeyInfo.getInstance(client.keys.getPrivate().getEncoded())
                                .parsePrivateKey()
                                .toASN1Primitive()
                                .getEncoded()));
        ECPrivateKey sec1 = ECPrivateKey.getInstance(
                PrivateKeyInfo.getInstance(ecClient.keys.getPrivate().getEncoded())
                        .parsePrivateKey());
        // OpenSSL writes the curve into the SEC1 key; BouncyCastle's PKCS#8 encoding may leave it out
        ECPrivateKey withCurve = new ECPrivateKey(
                256,
                sec1.getKey(),
                sec1.getPublicKey(),
                PrivateKeyInfo.getInstance(ecClient.keys.getPrivate().getEncoded())
                        .getPrivateKeyAlgorithm()
                        .getParameters());
        Files.writeString(
                ecClient.sec1KeyFile = dir.resolve("ec-client-key-sec1.pem"),
                pem("EC PRIVATE KEY", withCurve.getEncoded()));
    }

    private static TestPki make() {
        try {
            Path dir = Files.createTempDirectory("globallock-api-tls-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return new TestPki(dir);
        } catch (Exception e) {
            throw new IllegalStateException("Could not make the test certificates: " + e, e);
        }
    }

    private Entity authority(String name, SecureRandom random, Instant from, Instant until) throws Exception {
        KeyPair keys = ec(random);
        X500Name subject = new X500Name("O=globallock api tests,CN=" + name);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject, serial(random), Date.from(from), Date.from(until), subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Entity entity = new Entity(name, keys, certificate, List.of(certificate));
        Files.writeString(entity.certFile = dir.resolve(name + ".pem"), pem("CERTIFICATE", certificate.getEncoded()));
        for (String type : List.of("PKCS12", "JKS")) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            store.setCertificateEntry("ca", certificate);
            Path file = dir.resolve(name + "-trust." + (type.equals("JKS") ? "jks" : "p12"));
            save(store, file);
            if (type.equals("JKS")) {
                entity.trustJks = file;
            } else {
                entity.trustP12 = file;
            }
        }
        return entity;
    }

    private Entity issue(
            String name,
            Entity issuer,
            KeyPair keys,
            List<GeneralName> altNames,
            Instant from,
            Instant until,
            SecureRandom random)
            throws Exception {
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer.certificate,
                serial(random),
                Date.from(from),
                Date.from(until),
                new X500Name("O=globallock api tests,CN=" + (altNames.isEmpty() ? "app" : name)),
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
        }));
        if (!altNames.isEmpty()) {
            builder.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(altNames.toArray(new GeneralName[0])));
        }
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.keys.getPrivate())));
        List<X509Certificate> chain = new ArrayList<>(List.of(certificate, issuer.certificate));
        Entity entity = new Entity(name, keys, certificate, List.copyOf(chain));
        Files.writeString(entity.certFile = dir.resolve(name + ".pem"), pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(
                entity.keyFile = dir.resolve(name + "-key.pem"),
                pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        for (String type : List.of("PKCS12", "JKS")) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            store.setKeyEntry("key", keys.getPrivate(), PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
            Path file = dir.resolve(name + "." + (type.equals("JKS") ? "jks" : "p12"));
            save(store, file);
            if (type.equals("JKS")) {
                entity.jks = file;
            } else {
                entity.p12 = file;
            }
        }
        return entity;
    }

    private static KeyPair ec(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static KeyPair rsa(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, random);
        return generator.generateKeyPair();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static void save(KeyStore store, Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Writes {@code content} to a new file in the temp dir. */
    Path write(String name, String content) {
        try {
            Path file = Files.createTempFile(dir, name, ".tmp");
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
