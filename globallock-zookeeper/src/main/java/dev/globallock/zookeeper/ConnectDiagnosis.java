/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.spi.support.TlsFailures;
import dev.globallock.spi.support.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * Why a ZooKeeper client could not connect, found out after the fact: ZooKeeper's client only logs
 * the reason of each failed attempt and tries again, so when opening the engine times out, each
 * server of the connect string is asked once more, directly and within a small budget, with the
 * {@code srvr} four-letter word (the one ZooKeeper allows by default): refused, silent, answering
 * in another protocol, or a ZooKeeper server (then the problem lies in the session setup). Blocks
 * the calling thread for at most the budget.
 */
final class ConnectDiagnosis {
    private static final int MAX_REPLY_BYTES = 256;

    private ConnectDiagnosis() {}

    /** One line per server, such as {@code 127.0.0.1:2181: connection refused}. */
    static String of(List<ConnectString.Server> servers, Duration budget, Duration sessionTimeout) {
        return of(servers, budget, sessionTimeout, null);
    }

    /**
     * As {@link #of(List, Duration, Duration)}, over TLS when {@code tls} is given: a failed
     * handshake is said in words ({@link TlsFailures}); a plain probe that a server ends without an
     * answer asks whether the server speaks TLS.
     */
    static String of(List<ConnectString.Server> servers, Duration budget, Duration sessionTimeout, TlsSettings tls) {
        if (servers.isEmpty()) {
            return "";
        }
        long deadline = System.nanoTime() + budget.toNanos();
        List<String> lines = new ArrayList<>();
        boolean zooKeeperAnswered = false;
        for (ConnectString.Server server : servers) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            int timeout = (int) Math.max(50, left / Math.max(1, servers.size() - lines.size()));
            String finding = tls != null && tls.enabled()
                    ? probeTls(server, timeout, tls)
                    : probe(server, Math.max(50, timeout / 2));
            zooKeeperAnswered |= finding.equals(ZOOKEEPER);
            lines.add(server + ": " + finding);
        }
        String text = String.join("; ", lines);
        if (zooKeeperAnswered) {
            long perAttempt = sessionTimeout.toMillis() / servers.size();
            text += " (a ZooKeeper server answered, so its session could not be set up: check TLS and"
                    + " authentication, and session-timeout: the client gives each connection attempt"
                    + " session-timeout / number of servers = " + perAttempt + "ms)";
        }
        return text;
    }

    private static final String ZOOKEEPER = "answers as a ZooKeeper server";

    private static String probe(ConnectString.Server server, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host, server.port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] reply = read(socket.getInputStream());
            if (reply.length == 0) {
                return speaksTls(server, timeoutMillis)
                        ? TlsFailures.EXPECTS_TLS + ": it accepted the connection, closed it without an answer and"
                                + " completes a TLS handshake (enable tls)"
                        : "accepted the connection and closed it without an answer (a TLS-only port,"
                                + " or not a ZooKeeper server)";
            }
            String text = new String(reply, StandardCharsets.ISO_8859_1);
            if (text.startsWith("Zookeeper version")
                    || text.contains("is not executed because it is not in the whitelist")) {
                return ZOOKEEPER;
            }
            return "it is not a ZooKeeper server: it answered '" + printable(text) + "'";
        } catch (UnknownHostException e) {
            return "unknown host";
        } catch (ConnectException e) {
            return "connection refused";
        } catch (SocketTimeoutException e) {
            if (e.getMessage() != null
                    && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect")) {
                return "no answer to the TCP connection within " + timeoutMillis + "ms";
            }
            // a TLS port waits for the rest of a record that four plain bytes never complete
            return speaksTls(server, timeoutMillis)
                    ? TlsFailures.EXPECTS_TLS + ": it accepted the connection, did not answer and completes a TLS"
                            + " handshake (enable tls)"
                    : "accepted the connection but did not answer within " + timeoutMillis + "ms";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean speaksTls(ConnectString.Server server, int timeoutMillis) {
        return TlsFailures.speaksTls(new InetSocketAddress(server.host, server.port), Duration.ofMillis(timeoutMillis));
    }

    /** The {@code srvr} probe over TLS with the engine's TLS settings, as ZooKeeper's client would connect. */
    private static String probeTls(ConnectString.Server server, int timeoutMillis, TlsSettings tls) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(server.host, server.port), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            try (SSLSocket socket =
                    (SSLSocket) tls.socketFactory().createSocket(plain, server.host, server.port, false)) {
                socket.setSSLParameters(tls.sslParameters());
                socket.startHandshake();
                socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                byte[] reply = read(socket.getInputStream()); // a refused client certificate shows here (TLS 1.3)
                String text = new String(reply, StandardCharsets.ISO_8859_1);
                return text.startsWith("Zookeeper version")
                                || text.contains("is not executed because it is not in the whitelist")
                        ? ZOOKEEPER + " over TLS"
                        : "completes a TLS handshake but "
                                + (reply.length == 0
                                        ? "closed the connection without an answer"
                                        : "is not a ZooKeeper server");
            }
        } catch (UnknownHostException e) {
            return "unknown host";
        } catch (ConnectException e) {
            return "connection refused";
        } catch (IOException e) {
            Optional<String> words = TlsFailures.describe(e, tls.hasClientCertificate());
            if (words.isPresent()) {
                return words.get() + " (" + rootMessage(e) + ")";
            }
            return e instanceof SocketTimeoutException
                    ? "accepted the connection but did not complete a TLS handshake within " + timeoutMillis + "ms"
                    : e.toString();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static byte[] read(InputStream in) throws IOException {
        byte[] buffer = new byte[MAX_REPLY_BYTES];
        int length = 0;
        while (length < buffer.length) {
            int n;
            try {
                n = in.read(buffer, length, buffer.length - length);
            } catch (SocketTimeoutException e) {
                if (length == 0) {
                    throw e;
                }
                break; // it answered, and keeps the connection open
            }
            if (n < 0) {
                break;
            }
            length += n;
        }
        return java.util.Arrays.copyOf(buffer, length);
    }

    /** The first line of a reply, without control characters, at most 60 characters. */
    private static String printable(String text) {
        int end = text.indexOf('\n');
        String line = (end < 0 ? text : text.substring(0, end)).strip();
        StringBuilder shown = new StringBuilder();
        for (char c : line.toCharArray()) {
            shown.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return shown.length() > 60 ? shown.substring(0, 60) + "..." : shown.toString();
    }
}
