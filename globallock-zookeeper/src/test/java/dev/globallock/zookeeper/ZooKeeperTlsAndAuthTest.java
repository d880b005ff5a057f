/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import static dev.globallock.zookeeper.ZooKeeperTls.PASSWORD;
import static dev.globallock.zookeeper.ZooKeeperTls.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.GlobalLockManager;
import dev.globallock.LockHandle;
import dev.globallock.tck.fixture.ServerTls;
import dev.globallock.tck.fixture.ServerTls.ClientAuth;
import dev.globallock.tck.fixture.ZooKeeperServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every TLS and authentication setup of the engine, each against a real server that requires it:
 * TLS, mutual TLS (PEM files, or PKCS12 stores with password files), digest with the creator-only
 * ACL, SASL DIGEST-MD5 through the engine's own login context.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("zookeeper engine: TLS, mutual TLS, digest and SASL against servers that require them")
class ZooKeeperTlsAndAuthTest {

    @Test
    @DisplayName("TLS (server certificate checked against the CA and the host name): lock and unlock")
    void tls() throws Exception {
        try (ZooKeeperServer server = ZooKeeperServer.start(ZooKeeperServer.Options.builder()
                .tls(ServerTls.of(ClientAuth.NONE))
                .build())) {
            lockAndUnlock(ZooKeeperTls.config(ZooKeeperTls.section(server, Map.of("tls", ZooKeeperTls.pemTls(false)))));
        }
    }

    @Test
    @DisplayName("mutual TLS with PEM files, and PKCS12 stores, + digest and creator-only lock nodes")
    void mutualTlsWithDigestAndCreatorOnlyAcl() throws Exception {
        try (ZooKeeperServer server = ZooKeeperServer.start(ZooKeeperServer.Options.builder()
                        .tls(ServerTls.of(ClientAuth.REQUIRED))
                        .requireAuthentication("digest")
                        .build());
                CuratorFramework other = ZooKeeperTls.observer(server, "other", "other-pw-1")) {
            for (Map<String, Object> tls : List.of(ZooKeeperTls.pemTls(true), ZooKeeperTls.storeTls())) {
                Map<String, Object> config = ZooKeeperTls.config(ZooKeeperTls.section(
                        server,
                        Map.of("tls", tls, "digest", ZooKeeperTls.digest(USER, PASSWORD), "acl", "creator-only")));
                try (GlobalLockManager manager = GlobalLockManager.create(config);
                        LockHandle held = manager.lock("secure")) {
                    assertThat(held.isLocked()).isTrue();
                    String node = lockNode(other);
                    List<ACL> acl = other.getACL().forPath(node);
                    // creator-only: the session's authenticated ids, the digest user and the client
                    // certificate's x509 id; never world:anyone
                    assertThat(acl)
                            .extracting(entry -> entry.getId().getScheme())
                            .containsOnly("digest", "x509");
                    assertThat(acl).extracting(entry -> entry.getId().getId()).anySatisfy(id -> assertThat(id)
                            .startsWith(USER + ":"));
                }
            }
        }
    }

    @Test
    @DisplayName("SASL DIGEST-MD5 with username and password-file, no JAAS file: creator-only nodes of sasl:app")
    void saslWithTheEnginesOwnLoginContext(@TempDir Path directory) throws Exception {
        Path passwordFile = directory.resolve("zk-password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        try (ZooKeeperServer server = ZooKeeperServer.start(ZooKeeperServer.Options.builder()
                .saslUser(USER, PASSWORD)
                .requireAuthentication("sasl")
                .build())) {
            Map<String, Object> config = ZooKeeperTls.config(ZooKeeperTls.section(
                    server,
                    Map.of(
                            "sasl",
                            Map.of("username", USER, "password-file", passwordFile.toString()),
                            "acl",
                            "creator-only")));
            try (GlobalLockManager manager = GlobalLockManager.create(config);
                    LockHandle held = manager.lock("sasl")) {
                assertThat(held.isLocked()).isTrue();
            }
            assertThat(System.getProperty("java.security.auth.login.config"))
                    .as("no JVM-wide JAAS file was needed")
                    .isNull();
        }
    }

    /** The one lock node in the namespace (read by listing, which the parent's ACL allows). */
    private static String lockNode(CuratorFramework observer) throws Exception {
        for (String parent : observer.getChildren().forPath("/")) {
            List<String> children = observer.getChildren().forPath("/" + parent);
            if (!children.isEmpty()) {
                return "/" + parent + "/" + children.get(0);
            }
        }
        throw new AssertionError("no lock node");
    }

    private static void lockAndUnlock(Map<String, Object> config) {
        try (GlobalLockManager manager = GlobalLockManager.create(config)) {
            try (GlobalLockManager other = GlobalLockManager.create(config);
                    LockHandle held = manager.lock("secure")) {
                assertThat(held.isLocked()).isTrue();
                assertThat(other.tryLock("secure").isLocked())
                        .as("held elsewhere")
                        .isFalse();
            }
            try (LockHandle again = manager.tryLock("secure")) {
                assertThat(again.isLocked()).isTrue();
            }
        }
    }
}
