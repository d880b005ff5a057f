/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static dev.globallock.zookeeper.ZooKeeperTls.PASSWORD;
import static dev.globallock.zookeeper.ZooKeeperTls.USER;
import static dev.globallock.zookeeper.ZooKeeperTls.certs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockHandle;
import dev.globallock.spi.support.TlsFailures;
import dev.globallock.tck.fixture.CapturedOutput;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates.StoreType;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each TLS or authentication mistake fails opening the engine within the connection timeout (plus
 * the one-second diagnosis and the bounded close), as a {@link LockBackendException} naming the
 * engine, the endpoint and the cause in words, or, for a file or store that cannot be used, as a
 * {@link LockConfigException} naming the key; no password or key shows in the message or the logs.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("zookeeper engine: TLS and authentication mistakes are named, bounded and leak nothing")
class ZooKeeperTlsBadInputTest {
    /** The connection timeout of these tests. */
    private static final Duration CONNECT = Duration.ofSeconds(3);
    /** The one-second diagnosis after it, the bounded close of the client, and a busy machine. */
    private static final Duration SLACK = Duration.ofSeconds(4);

    private static final Map<String, ZooKeeperServer> servers = new LinkedHashMap<>();

    @AfterAll
    static void stopServers() {
        servers.values().forEach(ZooKeeperServer::close);
    }

    private static synchronized ZooKeeperServer server(String name, ZooKeeperServer.Options options) {
        return servers.computeIfAbsent(name, n -> ZooKeeperServer.start(options));
    }

    private static ZooKeeperServer mutualTlsServer() {
        return server(
                "mutual",
                ZooKeeperServer.Options.builder()
                        .tls(ServerTls.of(ClientAuth.REQUIRED))
                        .build());
    }

    private static ZooKeeperServer plainServer() {
        return server("plain", ZooKeeperServer.Options.defaults());
    }

    private static ZooKeeperServer saslServer() {
        return server(
                "sasl",
                ZooKeeperServer.Options.builder()
                        .saslUser(USER, PASSWORD)
                        .requireAuthentication("sasl")
                        .build());
    }

    @Test
    @DisplayName("a server certificate from another CA: certificate not trusted")
    void wrongCa() {
        Map<String, Object> tls = ZooKeeperTls.pemTls(true);
        tls.put("ca-file", certs().otherCaFile().toString());
        refused(mutualTlsServer(), Map.of("tls", tls), TlsFailures.NOT_TRUSTED);
    }

    @Test
    @DisplayName("an expired server certificate: certificate expired")
    void expiredServerCertificate() {
        ZooKeeperServer server = server(
                "expired",
                ZooKeeperServer.Options.builder()
                        .tls(ServerTls.serving(certs().expiredServer(), ClientAuth.NONE))
                        .build());
        refused(server, Map.of("tls", ZooKeeperTls.pemTls(false)), TlsFailures.EXPIRED);
    }

    @Test
    @DisplayName("a server certificate for another host, hostname verification on: host name does not match")
    void hostNameMismatch() {
        ZooKeeperServer server = server(
                "wrong-host",
                ZooKeeperServer.Options.builder()
                        .tls(ServerTls.serving(certs().wrongHostServer(), ClientAuth.NONE))
                        .build());
        refused(server, Map.of("tls", ZooKeeperTls.pemTls(false)), TlsFailures.HOST_MISMATCH);
    }

    @Test
    @DisplayName("a plain client on a TLS port: server expects TLS")
    void plainClientOnTlsPort() {
        refused(mutualTlsServer(), Map.of(), TlsFailures.EXPECTS_TLS);
    }

    @Test
    @DisplayName("a TLS client on a plain port: server does not speak TLS")
    void tlsClientOnPlainPort() {
        refused(plainServer(), Map.of("tls", ZooKeeperTls.pemTls(true)), TlsFailures.NOT_TLS);
    }

    @Test
    @DisplayName("no client certificate where the server requires one")
    void missingClientCertificate() {
        refused(mutualTlsServer(), Map.of("tls", ZooKeeperTls.pemTls(false)), TlsFailures.CLIENT_CERTIFICATE_REQUIRED);
    }

    @Test
    @DisplayName("SASL with a wrong password: authentication failed for the user")
    void saslWrongPassword() {
        refused(
                saslServer(),
                Map.of("sasl", Map.of("username", USER, "password", "wrong-pw-9")),
                "could not authenticate: the server refused the SASL DIGEST-MD5 login for user 'app'",
                "wrong-pw-9");
    }

    @Test
    @DisplayName("SASL as an unknown user: authentication failed for the user")
    void saslUnknownUser() {
        refused(
                saslServer(),
                Map.of("sasl", Map.of("username", "nobody", "password", PASSWORD)),
                "could not authenticate: the server refused the SASL DIGEST-MD5 login for user 'nobody'");
    }

    @Test
    @DisplayName("digest with a wrong password: ZooKeeper accepts any digest login, the creator-only nodes refuse")
    void digestWrongPassword() throws Exception {
        ZooKeeperServer server = server(
                "digest",
                ZooKeeperServer.Options.builder()
                        .requireAuthentication("digest")
                        .build());
        Map<String, Object> right = ZooKeeperTls.config(ZooKeeperTls.section(
                server, Map.of("digest", ZooKeeperTls.digest(USER, PASSWORD), "acl", "creator-only")));
        Map<String, Object> wrong = ZooKeeperTls.config(ZooKeeperTls.section(
                server, Map.of("digest", ZooKeeperTls.digest(USER, "wrong-pw-9"), "acl", "creator-only")));
        try (GlobalLockManager owner = GlobalLockManager.create(right);
                LockHandle held = owner.lock("digest")) {
            assertThat(held.isLocked()).isTrue();
        }
        try (CapturedOutput output = CapturedOutput.start();
                GlobalLockManager intruder = GlobalLockManager.create(wrong)) {
            Throwable failure = catchThrowable(() -> intruder.tryLock("digest"));
            assertThat(failure).isInstanceOf(LockBackendException.class);
            assertThat(failure.getMessage())
                    .contains("engine 'zookeeper'", server.connectString(), "NOAUTH")
                    .doesNotContain("wrong-pw-9");
            assertThat(CapturedOutput.shown(failure) + output.text()).doesNotContain("wrong-pw-9");
        }
    }

    @Test
    @DisplayName("a key file that cannot be read: the configuration names tls.key-file")
    void unreadableKeyFile(@TempDir Path directory) throws Exception {
        Path notAFile = Files.createDirectory(directory.resolve("client-key.pem"));
        Map<String, Object> tls = ZooKeeperTls.pemTls(true);
        tls.put("key-file", notAFile.toString());
        Throwable failure = catchThrowable(() -> GlobalLockManager.create(
                ZooKeeperTls.config(ZooKeeperTls.section(mutualTlsServer(), Map.of("tls", tls)))));
        assertThat(failure).isInstanceOf(LockConfigException.class);
        assertThat(failure.getMessage()).contains("zookeeper.tls.key-file was '" + notAFile + "' but");
    }

    @Test
    @DisplayName("a PKCS12 key store with a wrong password: the configuration says the password is wrong")
    void pkcs12WrongPassword() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca-file", certs().caFile().toString());
        tls.put("key-store", certs().client().keyStore(StoreType.PKCS12).toString());
        tls.put("key-store-password", "wrong-pw-9");
        Throwable failure;
        String output;
        try (CapturedOutput captured = CapturedOutput.start()) {
            failure = catchThrowable(() -> GlobalLockManager.create(
                    ZooKeeperTls.config(ZooKeeperTls.section(mutualTlsServer(), Map.of("tls", tls)))));
            output = captured.text();
        }
        assertThat(failure).isInstanceOf(LockConfigException.class);
        assertThat(failure.getMessage())
                .contains("zookeeper.tls.key-store was '")
                .contains("key-store-password does not open it: the password is wrong");
        assertThat(CapturedOutput.shown(failure) + output).doesNotContain("wrong-pw-9");
    }

    /**
     * The output without the JDK's own DIGEST-MD5 client debugging (FINE records of {@code
     * com.sun.security.sasl.digest}, which print {@code H(user:realm:password)} with the password
     * in the clear when an application turns FINE on for it): the JDK's, not the engine's, and off
     * by default; docs/engines/zookeeper.md warns about it.
     */
    private static String withoutJdkSaslDebugging(String output) {
        StringBuilder kept = new StringBuilder();
        String[] lines = output.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("com.sun.security.sasl.digest.")) {
                i++; // and the record's message line
                continue;
            }
            kept.append(lines[i]).append('\n');
        }
        return kept.toString();
    }

    /** Opening fails in time with the words, naming engine and endpoint; no secret shows. */
    private static void refused(ZooKeeperServer server, Map<String, Object> more, String words, String... secrets) {
        Map<String, Object> section = ZooKeeperTls.section(server, more);
        section.put("connection-timeout", CONNECT.toMillis() + "ms");
        Throwable failure;
        String output;
        long start = System.nanoTime();
        try (CapturedOutput captured = CapturedOutput.start()) {
            failure = catchThrowable(() -> GlobalLockManager.create(ZooKeeperTls.config(section)));
            output = captured.text();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        System.out.println(words + " -> " + (failure == null ? null : failure.getMessage()) + " in " + elapsed);
        assertThat(failure).isInstanceOf(LockBackendException.class);
        assertThat(failure.getMessage())
                .contains("engine 'zookeeper' at zookeeper://" + server.connectString() + "/globallock")
                .contains(words);
        assertThat(elapsed).isLessThan(CONNECT.plus(SLACK));
        String shown = CapturedOutput.shown(failure) + withoutJdkSaslDebugging(output);
        assertThat(shown).doesNotContain(certs().storePassword()).doesNotContain("PRIVATE KEY");
        for (String secret : secrets) {
            assertThat(shown).doesNotContain(secret);
        }
    }
}
