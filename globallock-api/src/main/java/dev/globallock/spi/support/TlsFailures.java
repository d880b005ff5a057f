/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Says in words what went wrong in a TLS connection, from the exception a client library threw
 * (JSSE's, possibly wrapped by Jedis, gRPC, Netty or ZooKeeper): the words every engine puts in its
 * {@code LockBackendException} after the engine and the endpoint. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@value #NOT_TRUSTED}: the server's certificate is not signed by a trusted CA;
 *   <li>{@value #EXPIRED}: the server's certificate has expired (or is not valid yet: {@value
 *       #NOT_YET_VALID});
 *   <li>{@value #HOST_MISMATCH}: the server's certificate does not name the host connected to;
 *   <li>{@value #CLIENT_CERTIFICATE_REQUIRED}: the server asked for a client certificate and got
 *       none (servers say so with different alerts: {@code certificate_required} from OpenSSL and Go
 *       under TLS 1.3, {@code bad_certificate} from Java, {@code handshake_failure} from OpenSSL under
 *       TLS 1.2, so the caller says whether it presented one);
 *   <li>{@value #CLIENT_CERTIFICATE_REFUSED}: the server does not accept the client certificate
 *       (unknown CA, expired, ...; also a {@code certificate_required} alert to a client that had a
 *       certificate: it found none the server's CAs accept, so it sent none);
 *   <li>{@value #HANDSHAKE_REFUSED}: the server ended the handshake for another reason;
 *   <li>{@value #NOT_TLS}: a TLS client reached a server that answered without TLS, or closed the
 *       connection during the handshake;
 *   <li>{@value #EXPECTS_TLS}: a plain client reached a TLS server; a plain client cannot tell this
 *       from its own failure, so the engine asks {@link #speaksTls} when a plain connection fails;
 *   <li>{@value #NO_COMMON_PROTOCOL}: client and server share no TLS version or cipher suite.
 * </ul>
 */
public final class TlsFailures {

    public static final String NOT_TRUSTED = "certificate not trusted";
    public static final String EXPIRED = "certificate expired";
    public static final String NOT_YET_VALID = "certificate not yet valid";
    public static final String HOST_MISMATCH = "host name does not match";
    public static final String EXPECTS_TLS = "server expects TLS";
    public static final String NOT_TLS = "server does not speak TLS";
    public static final String CLIENT_CERTIFICATE_REQUIRED = "the server requires a client certificate";
    public static final String CLIENT_CERTIFICATE_REFUSED = "the server refused the client certificate";
    public static final String NO_COMMON_PROTOCOL = "no TLS version or cipher suite in common with the server";
    public static final String HANDSHAKE_REFUSED = "the server refused the TLS handshake";

    private TlsFailures() {}

    /**
     * The words for the TLS failure in {@code failure} or its causes, or empty when it is not a TLS
     * failure this class knows (a timeout, a refused connection, an authentication error...). For a
     * client that presented a certificate; see {@link #describe(Throwable, boolean)}.
     */
    public static Optional<String> describe(Throwable failure) {
        return describe(failure, true);
    }

    /**
     * As {@link #describe(Throwable)}, knowing whether the client presented a certificate: a server
     * that refuses a client without one requires a certificate ({@value
     * #CLIENT_CERTIFICATE_REQUIRED}), one that refuses the certificate given does not accept it
     * ({@value #CLIENT_CERTIFICATE_REFUSED}).
     *
     * @param presentedClientCertificate whether the client had a client certificate configured
     */
    public static Optional<String> describe(Throwable failure, boolean presentedClientCertificate) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        boolean tls = false;
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            // the most specific cause decides: dates and names before trust
            if (t instanceof CertificateExpiredException) {
                return Optional.of(EXPIRED);
            }
            if (t instanceof CertificateNotYetValidException) {
                return Optional.of(NOT_YET_VALID);
            }
            tls |= t instanceof SSLException;
        }
        seen.clear();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof CertPathValidatorException
                    && ((CertPathValidatorException) t).getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return Optional.of(EXPIRED);
            }
            if (message.contains("no subject alternative")
                    || message.contains("no name matching")
                    || message.contains("hostname verification")
                    || message.contains("doesn't match any of the subject alternative names")) {
                return Optional.of(HOST_MISMATCH);
            }
            if (t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException
                    || message.contains("unable to find valid certification path")
                    || message.contains("pkix path")) {
                return Optional.of(NOT_TRUSTED);
            }
            // alerts the server sent about the client's certificate
            if (message.contains("received fatal alert: certificate_required")) {
                // a client that had a certificate sends none the server's CAs accept (JDK 21+ servers
                // list their CAs and answer so): to the client, its certificate was refused
                return Optional.of(
                        presentedClientCertificate ? CLIENT_CERTIFICATE_REFUSED : CLIENT_CERTIFICATE_REQUIRED);
            }
            if (!presentedClientCertificate
                    && (message.contains("received fatal alert: bad_certificate")
                            || message.contains("received fatal alert: handshake_failure"))) {
                return Optional.of(CLIENT_CERTIFICATE_REQUIRED);
            }
            if (message.contains("received fatal alert: bad_certificate")
                    || message.contains("received fatal alert: unknown_ca")
                    || message.contains("received fatal alert: certificate_unknown")
                    || message.contains("received fatal alert: certificate_expired")
                    || message.contains("received fatal alert: certificate_revoked")
                    || message.contains("received fatal alert: access_denied")) {
                return Optional.of(CLIENT_CERTIFICATE_REFUSED);
            }
            if (message.contains("received fatal alert: protocol_version")
                    || message.contains("no appropriate protocol")
                    || message.contains("not accepted by server preferences")
                    || message.contains("no cipher suites in common")) {
                return Optional.of(NO_COMMON_PROTOCOL);
            }
            if (message.contains("received fatal alert: handshake_failure")) {
                return Optional.of(HANDSHAKE_REFUSED);
            }
            if (message.contains("unsupported or unrecognized ssl message")
                    || message.contains("plaintext connection")
                    || message.contains("not an ssl/tls record")) {
                return Optional.of(NOT_TLS);
            }
            if (message.contains("remote host terminated the handshake") || (tls && t instanceof EOFException)) {
                return Optional.of(NOT_TLS);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the server at {@code address} answers a TLS ClientHello with a TLS record (a server
     * hello or an alert): for a plain client whose connection failed, to tell "{@value
     * #EXPECTS_TLS}" from other failures. Sends a minimal TLS 1.2 ClientHello and reads the first
     * byte of the reply; at most {@code timeout} for the connect and again for the reply.
     */
    public static boolean speaksTls(InetSocketAddress address, Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket socket = new Socket()) {
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(CLIENT_HELLO);
            out.flush();
            InputStream in = socket.getInputStream();
            int type = in.read();
            int major = in.read();
            // handshake (22) or alert (21), record version 3.x
            return (type == 22 || type == 21) && major == 3;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A TLS 1.2 ClientHello with common ECDHE/RSA suites and no extensions but the supported groups
     * and signature algorithms a modern server needs to answer it.
     */
    private static final byte[] CLIENT_HELLO = clientHello();

    private static byte[] clientHello() {
        byte[] suites = {
            (byte) 0xc0,
            0x2b,
            (byte) 0xc0,
            0x2f,
            (byte) 0xc0,
            0x2c,
            (byte) 0xc0,
            0x30,
            0x00,
            (byte) 0x9c,
            0x00,
            (byte) 0x9d,
            0x00,
            0x2f,
            0x00,
            0x35
        };
        byte[] extensions = {
            // supported_groups: x25519, secp256r1, secp384r1
            0x00,
            0x0a,
            0x00,
            0x08,
            0x00,
            0x06,
            0x00,
            0x1d,
            0x00,
            0x17,
            0x00,
            0x18,
            // ec_point_formats: uncompressed
            0x00,
            0x0b,
            0x00,
            0x02,
            0x01,
            0x00,
            // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
            0x00,
            0x0d,
            0x00,
            0x08,
            0x00,
            0x06,
            0x04,
            0x03,
            0x08,
            0x04,
            0x04,
            0x01
        };
        int bodyLength = 2 + 32 + 1 + 2 + suites.length + 2 + 2 + extensions.length;
        byte[] hello = new byte[5 + 4 + bodyLength];
        int i = 0;
        hello[i++] = 22; // handshake record
        hello[i++] = 3;
        hello[i++] = 1;
        hello[i++] = (byte) ((4 + bodyLength) >> 8);
        hello[i++] = (byte) (4 + bodyLength);
        hello[i++] = 1; // client hello
        hello[i++] = 0;
        hello[i++] = (byte) (bodyLength >> 8);
        hello[i++] = (byte) bodyLength;
        hello[i++] = 3; // TLS 1.2
        hello[i++] = 3;
        i += 32; // random: zeros do for a probe
        hello[i++] = 0; // no session id
        hello[i++] = (byte) (suites.length >> 8);
        hello[i++] = (byte) suites.length;
        System.arraycopy(suites, 0, hello, i, suites.length);
        i += suites.length;
        hello[i++] = 1; // one compression method: null
        hello[i++] = 0;
        hello[i++] = (byte) (extensions.length >> 8);
        hello[i++] = (byte) extensions.length;
        System.arraycopy(extensions, 0, hello, i, extensions.length);
        return hello;
    }
}
