/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import dev.globallock.spi.support.TlsFailures;
import dev.globallock.spi.support.TlsSettings;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Says in words why connecting failed, before the client's own description: a TLS problem ({@link
 * TlsFailures}: certificate not trusted, expired, host name, client certificate...), refused
 * credentials ({@code authentication failed for user 'app'}), or a plain client at a TLS port and
 * the reverse. When the failure itself does not tell (a server that requires a client certificate
 * closes the connection after the handshake; a TLS server just drops a plain client), it probes the
 * first node once, within the connect timeout: only for failures of a new connection, never for a
 * command that timed out. Stateless and thread-safe.
 */
final class ConnectFailures {
    private ConnectFailures() {}

    /** The failure described, with the words in front when there are any: {@code certificate expired (JedisConnectionException: ...)}. */
    static String describe(RedisEngineConfig config, Throwable failure) {
        String described = Errors.describe(failure);
        return words(config, failure)
                .map(words -> words + " (" + described + ")")
                .orElse(described);
    }

    /** What the failure means, in words; empty when it is not a connection, TLS or credentials problem. */
    static Optional<String> words(RedisEngineConfig config, Throwable failure) {
        TlsSettings tls = config.tls();
        boolean usesTls = RedisConnector.usesTls(config);
        if (usesTls) {
            Optional<String> words = TlsFailures.describe(failure, tls.hasClientCertificate());
            if (words.isPresent()) {
                return words;
            }
        }
        boolean sentinels = has(failure, RedisConnector.SentinelsUnusable.class);
        String user = (sentinels ? config.sentinelUsername() : config.username()).orElse("default");
        String at = sentinels ? " at the sentinels" : "";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisAccessControlException
                    || (t instanceof JedisDataException
                            && String.valueOf(t.getMessage()).startsWith("WRONGPASS"))) {
                return Optional.of("authentication failed for user '" + user + "'" + at);
            }
            if (t instanceof JedisDataException
                    && String.valueOf(t.getMessage()).startsWith("NOAUTH")) {
                return Optional.of("authentication required" + at + " but no password is configured");
            }
        }
        if (config.nodes().isEmpty() || !(failure instanceof JedisConnectionException)) {
            return Optional.empty();
        }
        URI node = config.nodes().get(0);
        InetSocketAddress address = new InetSocketAddress(node.getHost(), node.getPort());
        Duration timeout = config.connectTimeout();
        if (has(failure, SocketTimeoutException.class)) {
            // a TLS handshake that got no answer: a plain server waits for a command's end of line
            boolean handshaking = String.valueOf(failure.getMessage()).startsWith("Failed to create socket");
            return usesTls && handshaking && answersPlainPing(address, timeout)
                    ? Optional.of(TlsFailures.NOT_TLS)
                    : Optional.empty();
        }
        if (has(failure, ConnectException.class)) {
            return Optional.empty(); // nobody listens: not a TLS question
        }
        if (!has(failure, SocketException.class) && !has(failure, EOFException.class) && !closed(failure)) {
            return Optional.empty();
        }
        if (!usesTls) {
            return TlsFailures.speaksTls(address, timeout) ? Optional.of(TlsFailures.EXPECTS_TLS) : Optional.empty();
        }
        return tlsProbe(tls, node, address, timeout);
    }

    /**
     * Handshakes with the node as the engine does and sends {@code PING}: a server that refuses the
     * client's certificate (or its lack of one) says so with an alert in answer, after the handshake.
     */
    private static Optional<String> tlsProbe(TlsSettings tls, URI node, InetSocketAddress address, Duration timeout) {
        if (!tls.enabled()) {
            return Optional.empty(); // rediss:// with the JVM's defaults: nothing more to learn
        }
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket plain = new Socket()) {
            plain.connect(address, millis);
            plain.setSoTimeout(millis);
            SSLSocket socket =
                    (SSLSocket) tls.socketFactory().createSocket(plain, node.getHost(), node.getPort(), true);
            socket.setSSLParameters(tls.sslParameters());
            socket.startHandshake();
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.getInputStream().read();
            return Optional.empty();
        } catch (IOException e) {
            return TlsFailures.describe(e, tls.hasClientCertificate());
        }
    }

    /** Whether the server answers {@code PING} in plain text, as a Redis server without TLS does. */
    private static boolean answersPlainPing(InetSocketAddress address, Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket socket = new Socket()) {
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            int first = in.read();
            return first == '+' || first == '-';
        } catch (IOException e) {
            return false;
        }
    }

    /** Jedis's words for a connection the server closed. */
    private static boolean closed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("Unexpected end of stream")) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
