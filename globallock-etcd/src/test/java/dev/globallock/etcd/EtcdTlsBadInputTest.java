/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockOptions;
import dev.globallock.tck.fixture.CapturedOutput;
import dev.globallock.tck.fixture.EtcdServer;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every TLS and authentication mistake against real etcd servers ends within the connect timeout
 * (plus scheduling slack) as a {@link LockBackendException} naming the engine, the endpoint and
 * the cause in words, or, for files and stores that cannot be used, as a {@link
 * LockConfigException} naming the key; no password, key or store password shows in a message or
 * in the log.
 */
@DisplayName("etcd engine: TLS and authentication mistakes")
class EtcdTlsBadInputTest {
    private static final String ROOT_PASSWORD = "root-pw-Secret-1";
    private static final String APP_PASSWORD = "app-pw-Secret-2";
    private static final String WRONG_PASSWORD = "wrong-pw-Secret-3";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /**
     * A wait longer than the connect timeout: a server that never answers the handshake is known to
     * be wrong only once the connect timeout has passed, and a wrong password only once etcd has
     * compared it (bcrypt, over a connection of its own, slow on a loaded machine).
     */
    private static final Duration WAIT = CONNECT_TIMEOUT.multipliedBy(2);
    /**
     * A refused login ends the acquisition by itself, before any wait ends: a wait longer than the
     * bound shows that it does (a wait that ended first would be a LockTimeoutException).
     */
    private static final Duration WAIT_FOR_LOGIN = Duration.ofSeconds(10);
    /** The connect timeout, plus the wait's margin and scheduling on a loaded 2-core machine. */
    private static final long BOUND_MILLIS = CONNECT_TIMEOUT.toMillis() + 2500;
    /**
     * A wait far longer than the bound: a definite failure (TLS, authentication) ends the
     * acquisition at once, not when the wait ends.
     */
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);
    /**
     * The request timeout of the runs with a long or no wait: failures that are only retried give
     * up after about three of them (9 s), well past the bound.
     */
    private static final String LONG_REQUEST_TIMEOUT = "3s";

    private static final TestCertificates certs = TestCertificates.get();
    /** TLS, client certificates required, authentication with user app. */
    private static EtcdServer mutual;
    /** Plain http, no auth. */
    private static EtcdServer plain;

    @BeforeAll
    static void startServers() {
        mutual = EtcdServer.start(EtcdServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.REQUIRED))
                .withAuth(ROOT_PASSWORD)
                .user(TestCertificates.CLIENT_NAME, APP_PASSWORD)
                .build());
        plain = EtcdServer.start();
    }

    @AfterAll
    static void stopServers() {
        if (mutual != null) {
            mutual.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @Test
    @DisplayName("a server certificate from a CA the client does not trust: certificate not trusted")
    void wrongCa() {
        Map<String, Object> tls = clientCertificate();
        tls.put("ca-file", certs.otherCaFile().toString());
        assertBackendFailure(mutual.endpoint(), tls, Map.of(), "certificate not trusted");
    }

    @Test
    @DisplayName("an expired server certificate: certificate expired")
    void expiredServerCertificate() {
        try (EtcdServer expired = EtcdServer.start(EtcdServer.Options.builder()
                .tls(ServerTls.serving(certs.expiredServer(), ClientAuth.NONE))
                .build())) {
            assertBackendFailure(
                    expired.endpoint(), Map.of("ca-file", certs.caFile().toString()), Map.of(), "certificate expired");
        }
    }

    @Test
    @DisplayName(
            "a server certificate for another host, verification on: host name does not match (authority or verification off: connects)")
    void hostNameMismatch() {
        try (EtcdServer wrongHost = EtcdServer.start(EtcdServer.Options.builder()
                .tls(ServerTls.serving(certs.wrongHostServer(), ClientAuth.NONE))
                .build())) {
            assertBackendFailure(
                    wrongHost.endpoint(),
                    Map.of("ca-file", certs.caFile().toString()),
                    Map.of(),
                    "host name does not match");

            // the same server: the certificate's name given as the authority, or verification off
            for (Map<String, Object> tls : List.of(
                    Map.<String, Object>of(
                            "ca-file", certs.caFile().toString(), "authority", TestCertificates.WRONG_HOST),
                    Map.<String, Object>of("ca-file", certs.caFile().toString(), "hostname-verification", false))) {
                try (GlobalLockManager locks = GlobalLockManager.create(config(wrongHost.endpoint(), tls, Map.of()))) {
                    locks.lock("report").release();
                }
            }
        }
    }

    @Test
    @DisplayName("a plain client at a TLS port: server expects TLS")
    void plainClientAtTlsPort() {
        assertBackendFailure("http://127.0.0.1:" + mutual.port(), Map.of(), Map.of(), "server expects TLS");
    }

    @Test
    @DisplayName("a TLS client at a plain port: server does not speak TLS")
    void tlsClientAtPlainPort() {
        assertBackendFailure(
                "https://127.0.0.1:" + plain.port(),
                Map.of("ca-file", certs.caFile().toString()),
                Map.of(),
                "server does not speak TLS");
    }

    @Test
    @DisplayName("a wrong password: authentication failed for user 'app'")
    void wrongPassword() {
        assertBackendFailure(
                mutual.endpoint(),
                withCa(clientCertificate()),
                Map.of("user", TestCertificates.CLIENT_NAME, "password", WRONG_PASSWORD),
                "authentication failed for user 'app'",
                WAIT_FOR_LOGIN);
    }

    @Test
    @DisplayName("an unknown user: authentication failed for user 'nobody'")
    void unknownUser() {
        assertBackendFailure(
                mutual.endpoint(),
                withCa(clientCertificate()),
                Map.of("user", "nobody", "password", APP_PASSWORD),
                "authentication failed for user 'nobody'",
                WAIT_FOR_LOGIN);
    }

    @Test
    @DisplayName("no client certificate where the server requires one")
    void missingClientCertificate() {
        assertBackendFailure(
                mutual.endpoint(),
                Map.of("ca-file", certs.caFile().toString()),
                Map.of("user", TestCertificates.CLIENT_NAME, "password", APP_PASSWORD),
                "the server requires a client certificate");
    }

    @Test
    @DisplayName("endpoints where only the last one works: the lock is taken, the broken members are skipped")
    void brokenMembersBeforeAWorkingOne() {
        // a plain server's client and peer ports: neither speaks TLS
        List<String> endpoints = List.of(
                "https://127.0.0.1:" + plain.port(), "https://127.0.0.1:" + plain.peerPort(), mutual.endpoint());
        Map<String, Object> auth = Map.of("user", TestCertificates.CLIENT_NAME, "password", APP_PASSWORD);
        try (GlobalLockManager locks =
                GlobalLockManager.create(config(endpoints, withCa(clientCertificate()), auth, LONG_REQUEST_TIMEOUT))) {
            for (int i = 0; i < 3; i++) {
                locks.lock("report", LockOptions.builder().waitTime(LONG_WAIT).build())
                        .release();
                locks.lock("report").release();
            }
        }
    }

    @Test
    @DisplayName("no endpoint speaks TLS: the definite failure ends the acquisition at once")
    void noEndpointCanBeUsed() {
        List<String> endpoints = List.of("https://127.0.0.1:" + plain.port(), "https://127.0.0.1:" + plain.peerPort());
        Map<String, Object> tls = Map.of("ca-file", certs.caFile().toString());
        assertFailsFast(
                endpoints,
                config(endpoints, tls, Map.of(), LONG_REQUEST_TIMEOUT),
                "server does not speak TLS",
                "lock() without a bound",
                locks -> locks.lock("report"));
    }

    @Test
    @DisplayName("a key file that cannot be read: a configuration problem naming the key")
    void unreadableKeyFile(@TempDir Path dir) throws Exception {
        Map<String, Object> tls = withCa(new LinkedHashMap<>());
        tls.put("cert-file", certs.client().certFile().toString());
        tls.put("key-file", dir.toString());
        assertConfigProblem(tls, "etcd.tls.key-file was '" + dir + "' but it is a directory, not a file");

        Path key = Files.copy(certs.client().keyFile(), dir.resolve("key.pem"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(key), "running as root: every file is readable");
        tls.put("key-file", key.toString());
        assertConfigProblem(tls, "etcd.tls.key-file was '" + key + "' but the file cannot be read: permission denied");
    }

    @Test
    @DisplayName("a PKCS12 key store with a wrong password: a configuration problem naming the key, not the password")
    void pkcs12WrongPassword() {
        Map<String, Object> tls = withCa(new LinkedHashMap<>());
        tls.put(
                "key-store",
                certs.client().keyStore(TestCertificates.StoreType.PKCS12).toString());
        tls.put("key-store-password", WRONG_PASSWORD);
        assertConfigProblem(
                tls,
                "etcd.tls.key-store was '" + tls.get("key-store")
                        + "' but key-store-password does not open it: the password is wrong");
    }

    private static Map<String, Object> clientCertificate() {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("cert-file", certs.client().certFile().toString());
        tls.put("key-file", certs.client().keyFile().toString());
        return tls;
    }

    private static Map<String, Object> withCa(Map<String, Object> tls) {
        tls.put("ca-file", certs.caFile().toString());
        return tls;
    }

    private static Map<String, Object> config(String endpoint, Map<String, Object> tls, Map<String, Object> auth) {
        return config(List.of(endpoint), tls, auth, "1s");
    }

    private static Map<String, Object> config(
            List<String> endpoints, Map<String, Object> tls, Map<String, Object> auth, String requestTimeout) {
        Map<String, Object> etcd = new LinkedHashMap<>(auth);
        etcd.put("endpoints", endpoints);
        etcd.put("connect-timeout", "1s");
        etcd.put("request-timeout", requestTimeout);
        if (!tls.isEmpty()) {
            etcd.put("tls", tls);
        }
        return Map.of("engine", "etcd", "etcd", etcd);
    }

    private static void assertBackendFailure(
            String endpoint, Map<String, Object> tls, Map<String, Object> auth, String words) {
        assertBackendFailure(endpoint, tls, auth, words, WAIT);
    }

    /**
     * The failure comes within the bound with a wait of {@code waitTime}, and again with a wait far
     * longer than the bound and with no bound at all ({@code lock()}): a definite failure does not
     * wait for the wait to end.
     */
    private static void assertBackendFailure(
            String endpoint, Map<String, Object> tls, Map<String, Object> auth, String words, Duration waitTime) {
        LockOptions wait = LockOptions.builder().waitTime(waitTime).build();
        LockOptions longWait = LockOptions.builder().waitTime(LONG_WAIT).build();
        List<String> endpoints = List.of(endpoint);
        assertFailsFast(
                endpoints, config(endpoint, tls, auth), words, "wait " + waitTime, locks -> locks.lock("report", wait));
        assertFailsFast(
                endpoints,
                config(endpoints, tls, auth, LONG_REQUEST_TIMEOUT),
                words,
                "wait " + LONG_WAIT,
                locks -> locks.lock("report", longWait));
        assertFailsFast(
                endpoints,
                config(endpoints, tls, auth, LONG_REQUEST_TIMEOUT),
                words,
                "lock() without a bound",
                locks -> locks.lock("report"));
    }

    /** One way of asking for a lock. */
    @FunctionalInterface
    private interface Attempt {
        void run(GlobalLockManager locks) throws Exception;
    }

    private static void assertFailsFast(
            List<String> endpoints, Map<String, Object> config, String words, String how, Attempt attempt) {
        Throwable failure;
        String log;
        long elapsed;
        try (CapturedOutput output = CapturedOutput.start()) {
            try (GlobalLockManager locks = GlobalLockManager.create(config)) {
                long start = System.nanoTime();
                failure = catchThrowable(() -> attempt.run(locks));
                elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            log = output.text();
        }
        System.out.println(endpoints + ", " + how + ", after " + elapsed + " ms: " + failure);
        assertThat(failure)
                .as(how)
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("engine 'etcd' at " + String.join(",", endpoints))
                .hasMessageContaining(words);
        assertThat(elapsed).as("ends within the connect timeout (" + how + ")").isLessThan(BOUND_MILLIS);
        assertNoSecret(CapturedOutput.shown(failure) + log);
    }

    private static void assertConfigProblem(Map<String, Object> tls, String problem) {
        Throwable failure;
        String log;
        try (CapturedOutput output = CapturedOutput.start()) {
            failure = catchThrowable(() -> GlobalLockManager.create(config(mutual.endpoint(), tls, Map.of())));
            log = output.text();
        }
        assertThat(failure).isInstanceOf(LockConfigException.class).hasMessageContaining(problem);
        assertNoSecret(CapturedOutput.shown(failure) + log);
    }

    private static void assertNoSecret(String text) {
        assertThat(text)
                .doesNotContain(APP_PASSWORD)
                .doesNotContain(WRONG_PASSWORD)
                .doesNotContain(ROOT_PASSWORD)
                .doesNotContain(certs.storePassword())
                .doesNotContain("PRIVATE KEY");
    }
}
