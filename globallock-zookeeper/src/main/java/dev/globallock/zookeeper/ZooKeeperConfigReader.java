/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.zookeeper;

import dev.globallock.Durations;
import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import dev.globallock.spi.support.Redaction;
import dev.globallock.spi.support.SecretFiles;
import dev.globallock.spi.support.TlsSettings;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads the {@code zookeeper:} section into a {@link ZooKeeperEngineConfig}: maps keys to builder
 * calls and reports every problem at once, as {@code <key> was '<value>' but <reason>}. The rules
 * themselves live in {@link ZooKeeperEngineConfig} (its {@code ...Problem} functions, which the
 * builder applies too); a value with a problem is replaced by its default so that reading goes on.
 *
 * <pre>{@code
 * zookeeper:
 *   connect-string: "zk1:2181,zk2:2181,zk3:2181"   # required
 *   session-timeout: 30s        # the native lease: a dead holder's locks free after it
 *   connection-timeout: 10s
 *   namespace: globallock
 *   retry: { base-sleep: 100ms, max-sleep: 1s, max-retries: 3 }
 *   digest: { username: app, password: ${ZK_PASSWORD} }   # or password-file
 *   acl: open                   # open | creator-only
 *   sasl: { enabled: false, login-context: Client, service-name: zookeeper }
 *   # or SASL DIGEST-MD5 without a JAAS file: sasl: { username: app, password-file: /run/secrets/zk }
 *   tls: { ca-file: ..., cert-file: ..., key-file: ..., hostname-verification: true }
 *   # or trust-store / key-store (+ -password, -password-file, -type): the shared block, TlsSettings
 * }</pre>
 */
final class ZooKeeperConfigReader {
    private ZooKeeperConfigReader() {}

    /**
     * The configuration of the section.
     *
     * @throws dev.globallock.LockConfigException listing every problem, when there is one
     */
    static ZooKeeperEngineConfig read(ConfigSection section) {
        String connectString =
                section.requiredString("connect-string", "the ZooKeeper ensemble as host:port[,host:port...][/chroot]");
        if (!connectString.isBlank()) {
            String connectProblem = ConnectString.problem(connectString);
            if (connectProblem != null) {
                section.problem("connect-string", Redaction.userInfo(connectString.trim()), connectProblem);
            }
        }
        Duration sessionTimeout =
                section.positiveDuration("session-timeout", ZooKeeperEngineConfig.DEFAULT_SESSION_TIMEOUT);
        String sessionProblem = ZooKeeperConfigRules.sessionTimeoutProblem(sessionTimeout);
        if (sessionProblem != null) {
            section.problem("session-timeout", Durations.format(sessionTimeout), sessionProblem);
            sessionTimeout = ZooKeeperEngineConfig.DEFAULT_SESSION_TIMEOUT;
        }
        Duration connectionTimeout =
                section.positiveDuration("connection-timeout", ZooKeeperEngineConfig.DEFAULT_CONNECTION_TIMEOUT);
        String namespace = section.string("namespace", ZooKeeperEngineConfig.DEFAULT_NAMESPACE);
        String namespaceProblem = ZooKeeperConfigRules.namespaceProblem(namespace);
        if (namespaceProblem != null) {
            section.problem("namespace", namespace, namespaceProblem);
            namespace = ZooKeeperEngineConfig.DEFAULT_NAMESPACE;
        }

        ConfigSection retry = section.section("retry");
        Duration baseSleep = retry.positiveDuration("base-sleep", ZooKeeperEngineConfig.DEFAULT_RETRY_BASE_SLEEP);
        Duration maxSleep = retry.positiveDuration("max-sleep", ZooKeeperEngineConfig.DEFAULT_RETRY_MAX_SLEEP);
        int maxRetries = retry.integer(
                "max-retries",
                ZooKeeperEngineConfig.DEFAULT_RETRY_MAX_RETRIES,
                0,
                ZooKeeperEngineConfig.MAX_RETRIES_LIMIT);
        String retryProblem = ZooKeeperConfigRules.retryProblem(baseSleep, maxSleep);
        if (retryProblem != null) {
            retry.problem("max-sleep", retry.string("max-sleep", ""), retryProblem);
            maxSleep = baseSleep;
        }

        ConfigSection digest = section.section("digest");
        Optional<String> username = digest.string("username");
        Optional<Secret> password = SecretFiles.secret(digest, "password");
        if (username.isPresent() != password.isPresent() && !digest.has("password-file")) {
            digest.missing(
                    username.isPresent() ? "password" : "username",
                    "digest authentication needs both a username and a password");
        }
        String usernameProblem =
                username.map(ZooKeeperConfigRules::usernameProblem).orElse(null);
        if (usernameProblem != null) {
            digest.problem("username", username.get(), usernameProblem);
        }

        ZooKeeperEngineConfig.Acl acl =
                section.choice("acl", ZooKeeperEngineConfig.Acl.class, ZooKeeperEngineConfig.Acl.OPEN);

        ConfigSection sasl = section.section("sasl");
        boolean saslEnabled = sasl.bool("enabled", false);
        String loginContext = sasl.string("login-context", "Client");
        String serviceName = sasl.string("service-name", "zookeeper");
        Optional<String> saslUser = sasl.string("username");
        Optional<Secret> saslPassword = SecretFiles.secret(sasl, "password");
        if (saslUser.isPresent() != saslPassword.isPresent() && !sasl.has("password-file")) {
            sasl.missing(
                    saslUser.isPresent() ? "password" : "username",
                    "SASL DIGEST-MD5 as a user of the engine's own needs both a username and a password");
        }
        saslUser.map(ZooKeeperConfigRules::usernameProblem)
                .ifPresent(problem -> sasl.problem("username", saslUser.get(), problem));
        if (saslUser.isPresent() && sasl.has("login-context")) {
            sasl.problem(
                    "login-context",
                    loginContext,
                    "username is set too: the engine logs in with username and password through a login"
                            + " context of its own; give the user either here or in the JVM's JAAS file");
        }
        if (saslUser.isPresent() && sasl.has("enabled") && !saslEnabled) {
            sasl.problem("enabled", "false", "username is set: enable SASL or remove it");
        }
        saslEnabled |= saslUser.isPresent() && !sasl.has("enabled");
        String aclProblem = ZooKeeperConfigRules.aclProblem(acl, username.isPresent() || saslEnabled);
        if (aclProblem != null) {
            section.problem("acl", "creator-only", aclProblem);
        }

        TlsSettings tls = TlsSettings.read(section.section("tls"), false);

        section.validate();

        ZooKeeperEngineConfig.Builder builder = ZooKeeperEngineConfig.builder()
                .connectString(connectString)
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(connectionTimeout)
                .namespace(namespace)
                .retry(baseSleep, maxSleep, maxRetries)
                .acl(acl);
        if (username.isPresent()) {
            builder.digest(username.get(), password.orElseThrow());
        }
        if (saslUser.isPresent()) {
            builder.saslUser(saslUser.get(), saslPassword.orElseThrow(), serviceName);
        } else if (saslEnabled) {
            builder.sasl(loginContext, serviceName);
        }
        return builder.tls(tls).build();
    }
}
