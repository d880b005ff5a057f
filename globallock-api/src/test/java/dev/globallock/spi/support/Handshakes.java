/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** In-process servers on loopback and a client that shakes hands with them, for the TLS tests. */
final class Handshakes {

    private Handshakes() {}

    /** A server accepting connections on a daemon thread until closed. */
    static final class Server implements AutoCloseable {
        private final ServerSocket socket;

        private Server(ServerSocket socket, Handler handler) {
            this.socket = socket;
            Thread thread = new Thread(
                    () -> {
                        while (!socket.isClosed()) {
                            try (Socket accepted = socket.accept()) {
                                accepted.setSoTimeout(5000);
                                handler.handle(accepted);
                            } catch (IOException | RuntimeException e) {
                                // the client's failure is what the tests look at
                            }
                        }
                    },
                    "test-server-" + socket.getLocalPort());
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private interface Handler {
        void handle(Socket accepted) throws IOException;
    }

    /** A TLS server presenting {@code context}'s certificate; it answers {@code ok} after the handshake. */
    static Server tls(SSLContext context, boolean needClientAuth) throws IOException {
        SSLServerSocket server = (SSLServerSocket)
                context.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(needClientAuth);
        return new Server(server, accepted -> {
            SSLSocket ssl = (SSLSocket) accepted;
            ssl.startHandshake();
            OutputStream out = ssl.getOutputStream();
            out.write("ok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ssl.getInputStream().read(); // until the client closes
        });
    }

    /** A plain server that reads what comes and answers {@code reply} (closes at once when null). */
    static Server plain(String reply) throws IOException {
        ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        return new Server(server, accepted -> {
            if (reply == null) {
                return;
            }
            accepted.getInputStream().read(new byte[512]);
            accepted.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
            accepted.getOutputStream().flush();
        });
    }

    /**
     * Connects with TLS to {@code host:port}, shakes hands and reads the server's first bytes.
     *
     * @return what the server said
     * @throws IOException what the handshake or the read failed with
     */
    static String connect(SSLSocketFactory factory, SSLParameters parameters, String host, int port)
            throws IOException {
        try (SSLSocket socket = (SSLSocket) factory.createSocket(host, port)) {
            socket.setSoTimeout(5000);
            if (parameters != null) {
                socket.setSSLParameters(parameters);
            }
            socket.startHandshake();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[2];
            int read = in.readNBytes(reply, 0, 2);
            if (read < 2) {
                throw new IOException("the server closed the connection");
            }
            return new String(reply, StandardCharsets.US_ASCII);
        }
    }

    /** As {@link #connect(SSLSocketFactory, SSLParameters, String, int)}, verifying the host name. */
    static String connectVerifying(SSLContext context, String host, int port) throws IOException {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return connect(context.getSocketFactory(), parameters, host, port);
    }

    /** Reads what a plain connection gets from {@code port} after sending {@code request}. */
    static int plainRead(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return socket.getInputStream().read();
        }
    }
}
