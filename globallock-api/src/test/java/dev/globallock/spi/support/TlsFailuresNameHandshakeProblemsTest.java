/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** Real handshakes between a JSSE client and a JSSE (or plain) server, in-process, and the words for each failure. */
class TlsFailuresNameHandshakeProblemsTest {

    private static final TestPki PKI = TestPki.INSTANCE;

    /** A client trusting the CA, presenting the client certificate, verifying host names. */
    private final SSLContext client = PKI.client.context(PKI.ca);

    @Test
    void aGoodHandshakeIsNoFailure() throws IOException {
        try (Handshakes.Server server = Handshakes.tls(PKI.server.context(PKI.ca), true)) {
            assertThat(Handshakes.connectVerifying(client, "localhost", server.port()))
                    .isEqualTo("ok");
            assertThat(Handshakes.connectVerifying(client, "127.0.0.1", server.port()))
                    .isEqualTo("ok");
        }
        assertThat(TlsFailures.describe(new IOException("Connection refused"))).isEmpty();
    }

    @Test
    void aServerCertificateFromAnotherCaIsNotTrusted() throws IOException {
        assertThat(failureAgainst(PKI.otherCaServer.context(PKI.ca), false, client, "localhost"))
                .contains(TlsFailures.NOT_TRUSTED);
    }

    @Test
    void anExpiredServerCertificateIsExpired() throws IOException {
        assertThat(failureAgainst(PKI.expiredServer.context(PKI.ca), false, client, "localhost"))
                .contains(TlsFailures.EXPIRED);
    }

    @Test
    void aServerCertificateForAnotherHostDoesNotMatchTheHostName() throws IOException {
        assertThat(failureAgainst(PKI.wrongHostServer.context(PKI.ca), false, client, "localhost"))
                .contains(TlsFailures.HOST_MISMATCH);
        assertThat(failureAgainst(PKI.wrongHostServer.context(PKI.ca), false, client, "127.0.0.1"))
                .contains(TlsFailures.HOST_MISMATCH);
    }

    @Test
    void aServerRequiringAClientCertificateSaysSoToAClientWithoutOne() throws Exception {
        SSLContext withoutCertificate = SSLContext.getInstance("TLS");
        withoutCertificate.init(null, trustOnly(), null);
        try (Handshakes.Server server = Handshakes.tls(PKI.server.context(PKI.ca), true)) {
            Throwable failure =
                    catchThrowable(() -> Handshakes.connectVerifying(withoutCertificate, "localhost", server.port()));
            assertThat(TlsFailures.describe(failure, false)).contains(TlsFailures.CLIENT_CERTIFICATE_REQUIRED);
            // the same alert to a client that did present one: its certificate was refused
            assertThat(TlsFailures.describe(failure, true)).contains(TlsFailures.CLIENT_CERTIFICATE_REFUSED);
        }
    }

    @Test
    void aServerThatDoesNotTrustTheClientCertificateRefusesIt() throws IOException {
        SSLContext otherCaClient = PKI.otherCaClient.context(PKI.ca);
        assertThat(failureAgainst(PKI.server.context(PKI.ca), true, otherCaClient, "localhost"))
                .contains(TlsFailures.CLIENT_CERTIFICATE_REFUSED);
    }

    @Test
    void aTlsClientAgainstAPlainServerThatAnswersOrHangsUpHearsNoTls() throws IOException {
        try (Handshakes.Server redisLike = Handshakes.plain("-ERR unknown command\r\n")) {
            Throwable failure =
                    catchThrowable(() -> Handshakes.connectVerifying(client, "localhost", redisLike.port()));
            assertThat(TlsFailures.describe(failure)).as("%s", failure).contains(TlsFailures.NOT_TLS);
        }
        try (Handshakes.Server hangsUp = Handshakes.plain(null)) {
            Throwable failure = catchThrowable(() -> Handshakes.connectVerifying(client, "localhost", hangsUp.port()));
            assertThat(TlsFailures.describe(failure)).as("%s", failure).contains(TlsFailures.NOT_TLS);
        }
    }

    @Test
    void aPlainClientCanAskWhetherTheServerExpectsTls() throws IOException {
        try (Handshakes.Server tls = Handshakes.tls(PKI.server.context(PKI.ca), true);
                Handshakes.Server plain = Handshakes.plain("-ERR unknown command\r\n")) {
            // what a plain client sees from the TLS server: the server drops its bytes, or answers
            // with a TLS alert record, never with a reply it understands
            int first = Handshakes.plainRead(tls.port(), "PING\r\n");
            assertThat(first).isIn(-1, 21);
            assertThat(TlsFailures.speaksTls(tls.address(), Duration.ofSeconds(5)))
                    .isTrue();
            assertThat(TlsFailures.speaksTls(plain.address(), Duration.ofSeconds(5)))
                    .isFalse();
        }
    }

    @Test
    void theWordsAreFoundBehindWrappers() throws IOException {
        Throwable handshake;
        try (Handshakes.Server server = Handshakes.tls(PKI.expiredServer.context(PKI.ca), false)) {
            handshake = catchThrowable(() -> Handshakes.connectVerifying(client, "localhost", server.port()));
        }
        RuntimeException wrapped =
                new IllegalStateException("Failed to connect to any host", new IOException(handshake));
        assertThat(TlsFailures.describe(wrapped)).contains(TlsFailures.EXPIRED);
    }

    private static javax.net.ssl.TrustManager[] trustOnly() throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", PKI.ca.certificate);
        javax.net.ssl.TrustManagerFactory factory =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /** The words for what a client handshake against a server with {@code serverContext} fails with. */
    private static Optional<String> failureAgainst(
            SSLContext serverContext, boolean needClientAuth, SSLContext clientContext, String host)
            throws IOException {
        try (Handshakes.Server server = Handshakes.tls(serverContext, needClientAuth)) {
            Throwable failure = catchThrowable(() -> Handshakes.connectVerifying(clientContext, host, server.port()));
            assertThat(failure).as("the handshake must fail").isNotNull();
            Optional<String> words = TlsFailures.describe(failure);
            assertThat(words).as("words for %s", failure).isPresent();
            return words;
        }
    }
}
