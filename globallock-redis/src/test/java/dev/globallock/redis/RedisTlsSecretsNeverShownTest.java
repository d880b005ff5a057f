/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockBackendException;
import dev.globallock.LockConfigException;
import dev.globallock.LockHandle;
import dev.globallock.spi.ConfigSection;
import dev.globallock.tck.fixture.CapturedOutput;
import dev.globallock.tck.fixture.RedisServer;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.TestCertificates;
import dev.globallock.tck.fixture.TestCertificates.StoreType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secrets of a TLS and ACL setup — the user's password (from a password file), the key store's
 * password, the private key's PEM content — never show in a message, a stack trace, a {@code
 * toString()}, or anything logged or printed, whether the engine works or fails. Each test searches
 * all of it for the secret strings.
 */
@DisplayName("redis engine: TLS and ACL secrets never appear in messages, toString or logs")
class RedisTlsSecretsNeverShownTest {
    private static final String PASSWORD = "s3cret-app-pw-tls";
    private static final TestCertificates CERTS = TestCertificates.get();

    private static RedisServer redis;
    /** A line of the client's private key (PEM), and the key stores' password. */
    private static List<String> secrets;

    @BeforeAll
    static void startServer() throws IOException {
        redis = RedisServer.start(RedisServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.REQUIRED))
                .aclUser("app", PASSWORD, RedisServer.LOCK_USER_ACL_RULES)
                .build());
        List<String> keyLines = Files.readAllLines(CERTS.client().keyFile());
        secrets = List.of(PASSWORD, CERTS.storePassword(), keyLines.get(1), keyLines.get(keyLines.size() - 2));
    }

    @AfterAll
    static void stopServer() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisplayName("an engine that works, and one whose password is wrong")
    void atWork(@TempDir Path dir) throws IOException {
        try (CapturedOutput output = CapturedOutput.start()) {
            Map<String, Object> section = app(Files.writeString(dir.resolve("pw"), PASSWORD + "\n"));
            RedisEngineConfig config = RedisConfigReader.read(ConfigSection.of("redis", section));
            try (RedisLockEngine engine = RedisLockEngine.open(config);
                    GlobalLockManager locks =
                            GlobalLockManager.builder().engine(engine).build();
                    LockHandle held = locks.lock("secrets")) {
                assertHidden(config + " " + engine + " " + locks + " " + held + " " + engine.describeEndpoint());
                assertThat(config.toString()).contains("tls=");
            }
            Map<String, Object> wrong = app(Files.writeString(dir.resolve("wrong-pw"), "not-" + PASSWORD));
            try (GlobalLockManager locks = GlobalLockManager.create(Map.of("engine", "redis", "redis", wrong))) {
                Throwable refused = catchThrowable(() -> locks.lock("secrets").close());
                assertThat(refused)
                        .isInstanceOf(LockBackendException.class)
                        .hasMessageContaining("authentication failed for user 'app'");
                assertHidden(CapturedOutput.shown(refused));
            }
            assertHidden(output.text());
        }
    }

    @Test
    @DisplayName("configuration problems: a wrong store password, secret files given as keys, secrets twice")
    void configurationProblems(@TempDir Path dir) throws IOException {
        Path passwordFile = Files.writeString(dir.resolve("pw"), PASSWORD);
        try (CapturedOutput output = CapturedOutput.start()) {
            Map<String, Object> wrongStorePassword = app(passwordFile);
            tls(wrongStorePassword).put("key-store-password", "wrong-" + CERTS.storePassword());
            assertRefusedWithoutSecrets(wrongStorePassword, "redis.tls.key-store was");

            Map<String, Object> secretsAsKeys = app(passwordFile);
            tls(secretsAsKeys).remove("key-store");
            tls(secretsAsKeys).remove("key-store-password-file");
            tls(secretsAsKeys).put("cert-file", CERTS.client().keyFile().toString());
            tls(secretsAsKeys).put("key-file", passwordFile.toString());
            assertRefusedWithoutSecrets(secretsAsKeys, "redis.tls.");

            Map<String, Object> twice = app(passwordFile);
            twice.put("password", PASSWORD);
            twice.put("sentinel-password-file", passwordFile.toString());
            tls(twice).put("key-store-password", CERTS.storePassword());
            assertRefusedWithoutSecrets(twice, "redis.password-file was");

            Map<String, Object> disabled = app(passwordFile);
            tls(disabled).put("enabled", false);
            disabled.put("nodes", List.of("redis://127.0.0.1:" + redis.port()));
            assertRefusedWithoutSecrets(disabled, "redis.tls.enabled was 'false'");
            assertHidden(output.text());
        }
    }

    /** The user {@code app} with its password in {@code passwordFile}, mutual TLS from PKCS12 stores. */
    private static Map<String, Object> app(Path passwordFile) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("nodes", List.of(redis.uri()));
        section.put("username", "app");
        section.put("password-file", passwordFile.toString());
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("trust-store", CERTS.trustStore(StoreType.PKCS12).toString());
        tls.put("trust-store-password", CERTS.storePassword());
        tls.put("key-store", CERTS.client().keyStore(StoreType.PKCS12).toString());
        tls.put("key-store-password-file", CERTS.storePasswordFile().toString());
        section.put("tls", tls);
        return section;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tls(Map<String, Object> section) {
        return (Map<String, Object>) section.get("tls");
    }

    private static void assertRefusedWithoutSecrets(Map<String, Object> section, String problem) {
        Throwable refused = catchThrowable(() -> GlobalLockManager.create(Map.of("engine", "redis", "redis", section)));
        assertThat(refused).isInstanceOf(LockConfigException.class).hasMessageContaining(problem);
        assertHidden(CapturedOutput.shown(refused));
    }

    private static void assertHidden(String text) {
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
        }
    }
}
