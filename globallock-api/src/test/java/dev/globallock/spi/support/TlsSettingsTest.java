/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.globallock.LockConfigException;
import dev.globallock.spi.ConfigSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TlsSettingsTest {

    private static final TestPki PKI = TestPki.INSTANCE;

    /** Reads {@code redis.tls} from the given keys and validates the whole configuration. */
    private static TlsSettings read(Map<String, ?> tls, boolean implied) {
        ConfigSection root = ConfigSection.of("", Map.of("redis", Map.of("tls", tls)));
        TlsSettings settings = TlsSettings.read(root.section("redis").section("tls"), implied);
        root.validate();
        return settings;
    }

    private static LockConfigException problems(Map<String, ?> tls) {
        Throwable failure = catchThrowable(() -> read(tls, false));
        assertThat(failure).isInstanceOf(LockConfigException.class);
        return (LockConfigException) failure;
    }

    private static Map<String, Object> keys(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1] instanceof Path ? pairs[i + 1].toString() : pairs[i + 1]);
        }
        return map;
    }

    /** Shakes hands as a client with {@code settings} against a server presenting {@code server}. */
    private static String handshake(TlsSettings settings, TestPki.Entity server, boolean needClientAuth, String host)
            throws IOException {
        try (Handshakes.Server tls = Handshakes.tls(server.context(PKI.ca), needClientAuth)) {
            return Handshakes.connect(settings.socketFactory(), settings.sslParameters(), host, tls.port());
        }
    }

    @Nested
    class WhenTlsIsOn {

        @Test
        void nothingSetAndPlainEndpointsIsOff() {
            TlsSettings settings = read(Map.of(), false);
            assertThat(settings.enabled()).isFalse();
            assertThat(settings).hasToString("TlsSettings{disabled}");
            assertThatThrownBy(settings::sslContext).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void tlsEndpointsTurnItOnWithTheJvmsCas() {
            TlsSettings settings = read(Map.of(), true);
            assertThat(settings.enabled()).isTrue();
            assertThat(settings.hasTrustedCas()).isFalse();
            assertThat(settings.hostnameVerification()).isTrue();
            assertThat(settings.sslParameters().getEndpointIdentificationAlgorithm())
                    .isEqualTo("HTTPS");
            // our test CA is not among the JVM's
            Throwable failure = catchThrowable(() -> handshake(settings, PKI.server, false, "localhost"));
            assertThat(TlsFailures.describe(failure)).contains(TlsFailures.NOT_TRUSTED);
        }

        @Test
        void anyFileTurnsItOn() {
            assertThat(read(keys("ca-file", PKI.ca.certFile), false).enabled()).isTrue();
        }

        @Test
        void enabledFalseWithFilesIsAContradiction() {
            assertThat(problems(keys("enabled", false, "ca-file", PKI.ca.certFile))
                            .problems())
                    .containsExactly("redis.tls.enabled was 'false' but ca-file is set: enable TLS or remove it");
            assertThat(problems(keys("enabled", false, "ca-file", PKI.ca.certFile, "hostname-verification", true))
                            .problems())
                    .containsExactly("redis.tls.enabled was 'false' but ca-file is set: enable TLS or remove it");
            assertThat(problems(keys(
                                    "enabled", "false",
                                    "cert-file", PKI.client.certFile,
                                    "key-file", PKI.client.keyFile))
                            .problems())
                    .containsExactly(
                            "redis.tls.enabled was 'false' but cert-file, key-file are set: enable TLS or remove them");
        }

        @Test
        void enabledFalseWithTlsEndpointsIsAContradiction() {
            ConfigSection root = ConfigSection.of("redis", Map.of("tls", Map.of("enabled", false)));
            TlsSettings.read(root.section("tls"), true);
            assertThatThrownBy(root::validate)
                    .hasMessageContaining(
                            "redis.tls.enabled was 'false' but the endpoints use TLS (rediss:// or https://)");
        }
    }

    @Nested
    class PemFiles {

        @Test
        void aCaFileAndAPkcs8ClientKeyMakeAContextThatPassesMutualTls() throws IOException {
            TlsSettings settings = read(
                    keys(
                            "ca-file",
                            PKI.ca.certFile,
                            "cert-file",
                            PKI.ecClient.certFile,
                            "key-file",
                            PKI.ecClient.keyFile),
                    false);
            assertThat(settings.hasClientCertificate()).isTrue();
            assertThat(settings.keyManager()).isPresent();
            assertThat(handshake(settings, PKI.server, true, "localhost")).isEqualTo("ok");
            assertThat(handshake(settings, PKI.server, true, "127.0.0.1")).isEqualTo("ok");
        }

        @Test
        void aPemTrustStoreIsTheZooKeeperEnginesOlderFormOfACaFile() throws IOException {
            TlsSettings settings = read(keys("trust-store", PKI.ca.certFile, "trust-store-type", "PEM"), false);
            assertThat(settings.caFile()).contains(PKI.ca.certFile);
            assertThat(settings.trustStore()).isEmpty();
            assertThat(handshake(settings, PKI.server, false, "localhost")).isEqualTo("ok");
        }

        @Test
        void aPkcs1RsaKeyIsReadToo() throws IOException {
            TlsSettings settings = read(
                    keys(
                            "ca-file",
                            PKI.ca.certFile,
                            "cert-file",
                            PKI.client.certFile,
                            "key-file",
                            PKI.client.pkcs1KeyFile),
                    false);
            assertThat(Files.readString(PKI.client.pkcs1KeyFile)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            assertThat(handshake(settings, PKI.server, true, "localhost")).isEqualTo("ok");
        }

        @Test
        void aSec1EcKeyIsReadToo() throws IOException {
            TlsSettings settings = read(
                    keys(
                            "ca-file",
                            PKI.ca.certFile,
                            "cert-file",
                            PKI.ecClient.certFile,
                            "key-file",
                            PKI.ecClient.sec1KeyFile),
                    false);
            assertThat(Files.readString(PKI.ecClient.sec1KeyFile)).startsWith("-----BEGIN EC PRIVATE KEY-----");
            assertThat(handshake(settings, PKI.server, true, "localhost")).isEqualTo("ok");
        }

        @Test
        void aCertFileWithoutAKeyFileIsMissingOne() {
            assertThat(problems(keys("cert-file", PKI.client.certFile)).problems())
                    .containsExactly("redis.tls.key-file was missing but it is required: the private key (PEM) of the"
                            + " client certificate in cert-file");
            assertThat(problems(keys("key-file", PKI.client.keyFile)).problems())
                    .containsExactly("redis.tls.cert-file was missing but it is required: the client certificate"
                            + " (PEM) that goes with the key in key-file");
        }

        @Test
        void aMissingFileIsNamedWithItsKey() {
            Path missing = PKI.dir.resolve("no-such-ca.pem");
            assertThat(problems(keys("ca-file", missing)).problems())
                    .containsExactly("redis.tls.ca-file was '" + missing + "' but the file does not exist");
        }

        @Test
        void aDirectoryIsNotAFile() {
            assertThat(problems(keys("ca-file", PKI.dir)).problems())
                    .containsExactly("redis.tls.ca-file was '" + PKI.dir + "' but it is a directory, not a file");
        }

        @Test
        void anUnreadableKeyFileIsNamedWithItsKey() throws IOException {
            Path key = PKI.write("unreadable-key", Files.readString(PKI.ecClient.keyFile));
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
            assumeFalse(Files.isReadable(key), "running as root: every file is readable");
            assertThat(problems(keys("cert-file", PKI.ecClient.certFile, "key-file", key))
                            .problems())
                    .containsExactly(
                            "redis.tls.key-file was '" + key + "' but the file cannot be read: permission denied");
        }

        @Test
        void aFileWithoutACertificateOrKeySaysWhatItLacks() {
            Path text = PKI.write("not-pem", "hello\n");
            assertThat(problems(keys("ca-file", text)).problems())
                    .containsExactly("redis.tls.ca-file was '" + text
                            + "' but it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            assertThat(problems(keys("cert-file", PKI.client.certFile, "key-file", PKI.client.certFile))
                            .problems())
                    .containsExactly(
                            "redis.tls.key-file was '" + PKI.client.certFile + "' but it holds no PEM private key"
                                    + " (-----BEGIN PRIVATE KEY-----, or RSA PRIVATE KEY, or EC PRIVATE KEY)");
        }

        @Test
        void anEncryptedKeySaysHowToDecryptIt() {
            Path encrypted = PKI.write(
                    "encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
            assertThat(problems(keys("cert-file", PKI.client.certFile, "key-file", encrypted))
                            .problems())
                    .singleElement()
                    .asString()
                    .startsWith("redis.tls.key-file was '" + encrypted + "' but its private key is encrypted")
                    .contains("openssl pkcs8 -topk8 -nocrypt");
        }

        @Test
        void aKeyOfAnotherCertificateIsRefused() {
            assertThat(problems(keys("cert-file", PKI.client.certFile, "key-file", PKI.ecClient.keyFile))
                            .problems())
                    .singleElement()
                    .asString()
                    .startsWith("redis.tls.key-file was '" + PKI.ecClient.keyFile
                            + "' but it is not the private key of the certificate in cert-file");
        }

        @Test
        void pemAndAStoreForTheSameThingAreOneTooMany() {
            assertThat(problems(keys(
                                    "cert-file", PKI.client.certFile,
                                    "key-file", PKI.client.keyFile,
                                    "key-store", PKI.client.p12,
                                    "key-store-password", TestPki.PASSWORD))
                            .problems())
                    .containsExactly(
                            "redis.tls.key-store was '" + PKI.client.p12 + "' but cert-file is set too: give the"
                                    + " client certificate once, as PEM files (cert-file and key-file) or as a key store");
            assertThat(problems(keys("ca-file", PKI.ca.certFile, "trust-store", PKI.ca.trustP12))
                            .problems())
                    .containsExactly("redis.tls.trust-store was '" + PKI.ca.trustP12 + "' but ca-file is set too: give"
                            + " the trusted CAs once, as a PEM file or as a trust store");
        }
    }

    @Nested
    class Stores {

        @Test
        void pkcs12AndJksStoresWithPasswordsMakeAContextThatPassesMutualTls() throws IOException {
            for (boolean jks : new boolean[] {false, true}) {
                TlsSettings settings = read(
                        keys(
                                "trust-store",
                                jks ? PKI.ca.trustJks : PKI.ca.trustP12,
                                "trust-store-password",
                                TestPki.PASSWORD,
                                "key-store",
                                jks ? PKI.client.jks : PKI.client.p12,
                                "key-store-password",
                                TestPki.PASSWORD),
                        false);
                assertThat(settings.keyStoreType())
                        .contains(jks ? TlsSettings.StoreType.JKS : TlsSettings.StoreType.PKCS12);
                assertThat(handshake(settings, PKI.server, true, "localhost")).isEqualTo("ok");
            }
        }

        @Test
        void passwordsMayComeFromFiles() throws IOException {
            Path passwordFile = PKI.write("store-password", TestPki.PASSWORD + "\n");
            TlsSettings settings = read(
                    keys(
                            "trust-store",
                            PKI.ca.trustP12,
                            "trust-store-password-file",
                            passwordFile,
                            "key-store",
                            PKI.client.p12,
                            "key-store-password-file",
                            passwordFile),
                    false);
            assertThat(settings.keyStorePassword().orElseThrow().reveal()).isEqualTo(TestPki.PASSWORD);
            assertThat(handshake(settings, PKI.server, true, "localhost")).isEqualTo("ok");
        }

        @Test
        void aJksTrustStoreMayHaveNoPasswordAPkcs12OneShowsNothingWithout() throws IOException {
            TlsSettings settings = read(keys("trust-store", PKI.ca.trustJks), false);
            assertThat(handshake(settings, PKI.server, false, "localhost")).isEqualTo("ok");
            assertThat(problems(keys("trust-store", PKI.ca.trustP12)).problems())
                    .containsExactly("redis.tls.trust-store was '" + PKI.ca.trustP12 + "' but it shows no certificate"
                            + " without a password (PKCS12 encrypts them): set trust-store-password");
        }

        @Test
        void aKeyStoreNeedsItsPassword() {
            assertThat(problems(keys("key-store", PKI.client.p12)).problems())
                    .containsExactly("redis.tls.key-store-password was missing but it is required: the key store's"
                            + " password (or key-store-password-file)");
        }

        @Test
        void aWrongPasswordSaysSoWithoutThePassword() {
            for (Path store : new Path[] {PKI.client.p12, PKI.client.jks}) {
                LockConfigException failure =
                        problems(keys("key-store", store, "key-store-password", "not-the-Pw-4711"));
                assertThat(failure.problems())
                        .containsExactly("redis.tls.key-store was '" + store
                                + "' but key-store-password does not open it: the password is wrong");
                assertThat(failure.getMessage()).doesNotContain("not-the-Pw-4711");
            }
        }

        @Test
        void aWrongPasswordFromAFileNeverShowsTheFilesContent() {
            Path passwordFile = PKI.write("wrong-password", "from-a-File-0815\n");
            LockConfigException failure =
                    problems(keys("trust-store", PKI.ca.trustP12, "trust-store-password-file", passwordFile));
            assertThat(failure.problems())
                    .containsExactly("redis.tls.trust-store was '" + PKI.ca.trustP12
                            + "' but trust-store-password does not open it: the password is wrong");
            assertThat(failure.getMessage()).doesNotContain("from-a-File-0815");
        }

        @Test
        void aFileThatIsNoStoreSaysSo() {
            assertThat(problems(keys("key-store", PKI.client.certFile, "key-store-password", TestPki.PASSWORD))
                            .problems())
                    .singleElement()
                    .asString()
                    .startsWith("redis.tls.key-store was '" + PKI.client.certFile + "' but it is not a PKCS12 store");
        }

        @Test
        void aTrustStoreIsNoKeyStore() {
            assertThat(problems(keys("key-store", PKI.ca.trustP12, "key-store-password", TestPki.PASSWORD))
                            .problems())
                    .containsExactly(
                            "redis.tls.key-store was '" + PKI.ca.trustP12 + "' but it holds no private key entry");
        }
    }

    @Nested
    class HostNames {

        @Test
        void areVerifiedByDefault() {
            TlsSettings settings = read(keys("ca-file", PKI.ca.certFile), false);
            Throwable failure = catchThrowable(() -> handshake(settings, PKI.wrongHostServer, false, "localhost"));
            assertThat(TlsFailures.describe(failure)).contains(TlsFailures.HOST_MISMATCH);
        }

        @Test
        void areNotVerifiedWhenTurnedOffEvenWhenTheCallerAsksForIt() throws IOException {
            TlsSettings settings = read(keys("ca-file", PKI.ca.certFile, "hostname-verification", false), false);
            assertThat(settings.sslParameters().getEndpointIdentificationAlgorithm())
                    .isNull();
            try (Handshakes.Server tls = Handshakes.tls(PKI.wrongHostServer.context(PKI.ca), false)) {
                // gRPC and Netty 4.2 set endpoint identification themselves: the trust manager ignores it
                assertThat(Handshakes.connectVerifying(settings.sslContext(), "localhost", tls.port()))
                        .isEqualTo("ok");
            }
            // the chain is still checked
            Throwable failure = catchThrowable(() -> handshake(settings, PKI.otherCaServer, false, "localhost"));
            assertThat(TlsFailures.describe(failure)).contains(TlsFailures.NOT_TRUSTED);
        }
    }

    @Test
    void toStringNamesTheFilesAndNoPassword() {
        Path passwordFile = PKI.write("password-for-tostring", TestPki.PASSWORD);
        TlsSettings settings = read(
                keys(
                        "ca-file", PKI.ca.certFile,
                        "key-store", PKI.client.p12,
                        "key-store-password-file", passwordFile),
                false);
        assertThat(settings)
                .hasToString("TlsSettings{enabled, ca-file=" + PKI.ca.certFile + ", key-store=" + PKI.client.p12
                        + " (pkcs12), hostname-verification=true}");
        assertThat(settings.toString()).doesNotContain(TestPki.PASSWORD);
    }
}
