package dev.globallock.zookeeper;

import dev.globallock.Durations;
import dev.globallock.LockBackendException;
import dev.globallock.spi.support.EngineErrors;
import dev.globallock.spi.support.Redaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.data.ACL;

/**
 * The one place the engine's ZooKeeper client is built: with a connect string, a Curator client with
 * the configured timeouts, retry policy, namespace, ACL provider, digest authentication and the
 * ZooKeeper client settings for SASL and TLS ({@link #clientConfig}), started and given the
 * connection timeout to connect (when it does not, each server is asked why: {@link
 * ConnectDiagnosis}); or the application's started client, used under the engine's namespace.
 */
final class ZooKeeperConnector {

    /** How long asking the servers why a connection failed may take. */
    private static final Duration DIAGNOSIS_BUDGET = Duration.ofSeconds(1);

    private ZooKeeperConnector() {}

    /**
     * The engine's connection: a client of its own, connected within the connection timeout, or the
     * given one.
     *
     * @throws LockBackendException when the ensemble cannot be reached within the connection timeout
     */
    static Connection connect(ZooKeeperEngineConfig config) {
        if (config.client().isPresent()) {
            return given(config, config.client().get());
        }
        String connect = config.connectString().orElseThrow();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(
                        (int) config.retryBaseSleep().toMillis(), config.retryMaxRetries(), (int)
                                config.retryMaxSleep().toMillis()))
                .namespace(config.namespace())
                .defaultData(LockPaths.NO_DATA)
                .zkClientConfig(clientConfig(config))
                .aclProvider(aclProvider(config.acl()));
        if (config.digestUsername().isPresent()) {
            builder.authorization(
                    "digest",
                    (config.digestUsername().get() + ":"
                                    + config.digestPassword().orElseThrow().reveal())
                            .getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework opened = builder.build();
        String endpoint = "zookeeper://" + describe(connect) + namespacePath(null, config.namespace());
        EngineErrors errors = EngineErrors.of("zookeeper", () -> endpoint);
        try {
            opened.start();
            if (!opened.blockUntilConnected((int) config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                // the client only logs why each attempt failed: ask the servers once more, briefly
                String why =
                        ConnectDiagnosis.of(ConnectString.servers(connect), DIAGNOSIS_BUDGET, config.sessionTimeout());
                throw new LockBackendException(errors.say("could not connect within the connection timeout of "
                        + Durations.format(config.connectionTimeout()) + (why.isEmpty() ? "" : ": " + why)));
            }
            return new Connection(opened, opened, true, nodeAcl(config.acl()), endpoint, config.connectionTimeout());
        } catch (InterruptedException e) {
            Connection.closeBounded(opened, Connection.CLOSE_BOUND_AFTER_FAILURE);
            Thread.currentThread().interrupt();
            throw new LockBackendException(errors.say("was interrupted while connecting"), e);
        } catch (RuntimeException e) {
            Connection.closeBounded(opened, Connection.CLOSE_BOUND_AFTER_FAILURE);
            throw e;
        }
    }

    /** The application's client, under {@code <its namespace>/<namespace>}; never closed by the engine. */
    private static Connection given(ZooKeeperEngineConfig config, CuratorFramework given) {
        if (given.getState() != CuratorFrameworkState.STARTED) {
            throw new IllegalStateException("the CuratorFramework given to the zookeeper engine must be started"
                    + " (it is " + given.getState() + ")");
        }
        String namespace = namespacePath(given.getNamespace(), config.namespace());
        String endpoint =
                "zookeeper://" + describe(given.getZookeeperClient().getCurrentConnectionString()) + namespace;
        return new Connection(
                given, given.usingNamespace(namespace.substring(1)), false, null, endpoint, config.connectionTimeout());
    }

    /** The ZooKeeper client settings for SASL and TLS (nothing when neither is enabled). */
    static ZKClientConfig clientConfig(ZooKeeperEngineConfig config) {
        ZKClientConfig zk = new ZKClientConfig();
        zk.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, Boolean.toString(config.sasl()));
        if (config.sasl()) {
            zk.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, config.saslLoginContext());
            zk.setProperty(ZKClientConfig.ZK_SASL_CLIENT_USERNAME, config.saslServiceName());
        }
        if (config.tls()) {
            zk.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            try (ClientX509Util x509 = new ClientX509Util()) {
                config.trustStore()
                        .ifPresent(path -> zk.setProperty(x509.getSslTruststoreLocationProperty(), path.toString()));
                config.trustStorePassword()
                        .ifPresent(secret -> zk.setProperty(x509.getSslTruststorePasswdProperty(), secret.reveal()));
                config.trustStoreType().ifPresent(type -> zk.setProperty(x509.getSslTruststoreTypeProperty(), type));
                config.keyStore()
                        .ifPresent(path -> zk.setProperty(x509.getSslKeystoreLocationProperty(), path.toString()));
                config.keyStorePassword()
                        .ifPresent(secret -> zk.setProperty(x509.getSslKeystorePasswdProperty(), secret.reveal()));
                config.keyStoreType().ifPresent(type -> zk.setProperty(x509.getSslKeystoreTypeProperty(), type));
                zk.setProperty(
                        x509.getSslHostnameVerificationEnabledProperty(),
                        Boolean.toString(config.hostnameVerification()));
            }
        }
        return zk;
    }

    /** The ACL of the lock nodes (and their parents) the engine creates. */
    private static List<ACL> nodeAcl(ZooKeeperEngineConfig.Acl acl) {
        return acl == ZooKeeperEngineConfig.Acl.OPEN ? ZooDefs.Ids.OPEN_ACL_UNSAFE : ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    private static ACLProvider aclProvider(ZooKeeperEngineConfig.Acl acl) {
        if (acl == ZooKeeperEngineConfig.Acl.OPEN) {
            return new DefaultACLProvider();
        }
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }
        };
    }

    /** The connect string without anything that could be a credential (ZooKeeper has none inline). */
    private static String describe(String connectString) {
        return connectString == null ? "<unknown>" : Redaction.userInfo(connectString);
    }

    private static String namespacePath(String clientNamespace, String namespace) {
        return ZKPaths.makePath(clientNamespace == null ? "" : clientNamespace, namespace);
    }
}
