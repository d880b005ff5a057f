package dev.globallock.spi.support;

import dev.globallock.Secret;
import dev.globallock.spi.ConfigSection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@code tls} block every engine shares, read from its section ({@code redis.tls}, {@code
 * etcd.tls}, {@code zookeeper.tls}) and loaded at once, so that a missing file, a PEM file without a
 * certificate or a store whose password does not open it is a configuration problem reported at
 * load time, never a handshake failure later:
 *
 * <pre>{@code
 * tls:
 *   enabled: true                    # implied by rediss:// or https:// endpoints, or by any key below
 *   ca-file: /etc/ssl/ca.pem         # PEM; trust these CAs instead of the JVM's default ones
 *   cert-file: /etc/ssl/client.pem   # client certificate (PEM, may hold its chain), with key-file
 *   key-file: /etc/ssl/client-key.pem   # PKCS#8, PKCS#1 RSA or SEC1 EC PEM, unencrypted
 *   trust-store: /etc/ssl/trust.p12  # instead of ca-file: PKCS12 or JKS
 *   trust-store-password: ...        # or trust-store-password-file (a trust store may have none)
 *   trust-store-type: pkcs12         # pkcs12 | jks; default from the file name (.jks: jks)
 *   key-store: /etc/ssl/client.p12   # instead of cert-file/key-file: PKCS12 or JKS
 *   key-store-password: ...          # or key-store-password-file; also the key's password
 *   key-store-type: pkcs12
 *   hostname-verification: true      # check the server certificate names the host connected to
 * }</pre>
 *
 * <p>Problems are recorded in the section, each as {@code <key> was '<value>' but <reason>}, and
 * thrown together by {@link ConfigSection#validate()}; passwords and the content of files are
 * never shown. The engine calls {@code validate()} before it uses the settings.
 *
 * <p>What engines take from it: a ready {@link #sslContext()} with {@link #sslParameters()} (JSSE
 * sockets, e.g. Jedis), the {@link #trustManager()} and {@link #keyManager()} (Netty's {@code
 * SslContextBuilder}, e.g. jetcd through gRPC), or the files, types and passwords themselves
 * (ZooKeeper's {@code ZKClientConfig}). The trust manager checks host names when the caller asks
 * for it (endpoint identification {@code HTTPS}, as {@link #sslParameters()}, gRPC and Netty 4.2
 * do), and never when {@code hostname-verification} is false, whatever the caller asks.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsSettings {

    /** The formats of {@code trust-store} and {@code key-store}. */
    public enum StoreType {
        PKCS12,
        JKS
    }

    private static final TlsSettings DISABLED = new TlsSettings(new Loaded());
    /** The in-memory key store's entry password: not a user secret. */
    private static final char[] ENTRY_PASSWORD = "globallock-in-memory".toCharArray();

    private final boolean enabled;
    private final boolean hostnameVerification;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final Path trustStore;
    private final StoreType trustStoreType;
    private final Secret trustStorePassword;
    private final Path keyStore;
    private final StoreType keyStoreType;
    private final Secret keyStorePassword;
    private final X509ExtendedTrustManager trustManager;
    private final X509ExtendedKeyManager keyManager;
    private final SSLContext sslContext;

    private TlsSettings(Loaded loaded) {
        this.enabled = loaded.enabled;
        this.hostnameVerification = loaded.hostnameVerification;
        this.caFile = loaded.caFile;
        this.certFile = loaded.certFile;
        this.keyFile = loaded.keyFile;
        this.trustStore = loaded.trustStore;
        this.trustStoreType = loaded.trustStoreType;
        this.trustStorePassword = loaded.trustStorePassword;
        this.keyStore = loaded.keyStore;
        this.keyStoreType = loaded.keyStoreType;
        this.keyStorePassword = loaded.keyStorePassword;
        this.trustManager = loaded.trustManager;
        this.keyManager = loaded.keyManager;
        this.sslContext = loaded.sslContext;
    }

    /** TLS off. */
    public static TlsSettings disabled() {
        return DISABLED;
    }

    /**
     * Reads and loads the {@code tls} section. TLS is on when {@code enabled} says so, else when the
     * endpoints ask for it ({@code impliedByEndpoints}: {@code rediss://}, {@code https://}) or any
     * other key of the section is set. Files are read now; every problem is recorded in {@code tls}.
     *
     * @param tls the engine's {@code tls} section, e.g. {@code section.section("tls")}
     * @param impliedByEndpoints whether the engine's endpoints use a TLS scheme
     */
    public static TlsSettings read(ConfigSection tls, boolean impliedByEndpoints) {
        Loaded loaded = new Loaded();
        Optional<Boolean> explicit = tls.has("enabled") ? Optional.of(tls.bool("enabled", true)) : Optional.empty();
        Optional<String> caFile = tls.string("ca-file");
        Optional<String> certFile = tls.string("cert-file");
        Optional<String> keyFile = tls.string("key-file");
        Optional<String> trustStore = tls.string("trust-store");
        Optional<String> keyStore = tls.string("key-store");
        Optional<Secret> trustStorePassword = SecretFiles.secret(tls, "trust-store-password");
        Optional<Secret> keyStorePassword = SecretFiles.secret(tls, "key-store-password");
        Optional<String> trustStoreTypeText = tls.string("trust-store-type");
        Optional<String> keyStoreTypeText = tls.string("key-store-type");
        StoreType trustStoreType = tls.choice("trust-store-type", StoreType.class, null);
        StoreType keyStoreType = tls.choice("key-store-type", StoreType.class, null);
        loaded.hostnameVerification = tls.bool("hostname-verification", true);

        List<String> given = new ArrayList<>();
        caFile.ifPresent(v -> given.add("ca-file"));
        certFile.ifPresent(v -> given.add("cert-file"));
        keyFile.ifPresent(v -> given.add("key-file"));
        trustStore.ifPresent(v -> given.add("trust-store"));
        keyStore.ifPresent(v -> given.add("key-store"));
        trustStorePassword.ifPresent(v -> given.add("trust-store-password"));
        keyStorePassword.ifPresent(v -> given.add("key-store-password"));
        trustStoreTypeText.ifPresent(v -> given.add("trust-store-type"));
        keyStoreTypeText.ifPresent(v -> given.add("key-store-type"));
        loaded.enabled = explicit.orElse(impliedByEndpoints || !given.isEmpty());
        if (explicit.isPresent() && !explicit.get()) {
            if (impliedByEndpoints) {
                tls.problem(
                        "enabled",
                        false,
                        "the endpoints use TLS (rediss:// or https://): set it to true or leave it out");
            } else if (!given.isEmpty()) {
                tls.problem(
                        "enabled",
                        false,
                        String.join(", ", given)
                                + (given.size() == 1
                                        ? " is set: enable TLS or remove it"
                                        : " are set: enable TLS or remove them"));
            }
            return DISABLED;
        }
        if (!loaded.enabled) {
            return DISABLED;
        }

        boolean usable = true;
        if (caFile.isPresent() && trustStore.isPresent()) {
            tls.problem(
                    "trust-store",
                    trustStore.get(),
                    "ca-file is set too: give the trusted CAs once, as a PEM file or as a trust store");
            usable = false;
        }
        if ((certFile.isPresent() || keyFile.isPresent()) && keyStore.isPresent()) {
            tls.problem(
                    "key-store",
                    keyStore.get(),
                    (certFile.isPresent() ? "cert-file" : "key-file") + " is set too: give the client certificate"
                            + " once, as PEM files (cert-file and key-file) or as a key store");
            usable = false;
        }
        if (certFile.isPresent() && keyFile.isEmpty()) {
            tls.missing("key-file", "the private key (PEM) of the client certificate in cert-file");
            usable = false;
        }
        if (keyFile.isPresent() && certFile.isEmpty()) {
            tls.missing("cert-file", "the client certificate (PEM) that goes with the key in key-file");
            usable = false;
        }
        if (keyStore.isPresent() && keyStorePassword.isEmpty() && !tls.has("key-store-password-file")) {
            tls.missing("key-store-password", "the key store's password (or key-store-password-file)");
            usable = false;
        }
        if (trustStorePassword.isPresent() && trustStore.isEmpty()) {
            tls.problem("trust-store-password", "******", "trust-store is not set");
        }
        if (keyStorePassword.isPresent() && keyStore.isEmpty()) {
            tls.problem("key-store-password", "******", "key-store is not set");
        }
        if (trustStoreTypeText.isPresent() && trustStore.isEmpty()) {
            tls.problem("trust-store-type", trustStoreTypeText.get(), "trust-store is not set");
        }
        if (keyStoreTypeText.isPresent() && keyStore.isEmpty()) {
            tls.problem("key-store-type", keyStoreTypeText.get(), "key-store is not set");
        }

        loaded.caFile = caFile.map(Path::of).orElse(null);
        loaded.certFile = certFile.map(Path::of).orElse(null);
        loaded.keyFile = keyFile.map(Path::of).orElse(null);
        loaded.trustStore = trustStore.map(Path::of).orElse(null);
        loaded.trustStoreType =
                trustStore.isPresent() ? (trustStoreType != null ? trustStoreType : typeOf(trustStore.get())) : null;
        loaded.trustStorePassword = trustStorePassword.orElse(null);
        loaded.keyStore = keyStore.map(Path::of).orElse(null);
        loaded.keyStoreType =
                keyStore.isPresent() ? (keyStoreType != null ? keyStoreType : typeOf(keyStore.get())) : null;
        loaded.keyStorePassword = keyStorePassword.orElse(null);
        if (!usable) {
            return new TlsSettings(loaded);
        }

        KeyStore trust = null;
        boolean trustLoaded = true;
        if (caFile.isPresent()) {
            trust = pemTrust(tls, "ca-file", caFile.get());
            trustLoaded = trust != null;
        } else if (trustStore.isPresent()) {
            trust = storeTrust(tls, trustStore.get(), loaded.trustStoreType, loaded.trustStorePassword);
            trustLoaded = trust != null;
        }
        KeyManagerFactory keys = null;
        boolean keysLoaded = true;
        if (certFile.isPresent()) {
            keys = pemKeys(tls, certFile.get(), keyFile.get());
            keysLoaded = keys != null;
        } else if (keyStore.isPresent() && loaded.keyStorePassword != null) {
            keys = storeKeys(tls, keyStore.get(), loaded.keyStoreType, loaded.keyStorePassword);
            keysLoaded = keys != null;
        } else if (keyStore.isPresent()) {
            keysLoaded = false; // its password file could not be read: recorded already
        }
        if (!trustLoaded || !keysLoaded) {
            return new TlsSettings(loaded);
        }
        try {
            TrustManagerFactory trustFactory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustFactory.init(trust); // null: the JVM's default CAs
            X509ExtendedTrustManager pkix = extended(trustFactory.getTrustManagers());
            loaded.trustManager = loaded.hostnameVerification ? pkix : new IgnoringHostNames(pkix);
            loaded.keyManager = keys == null ? null : extendedKeyManager(keys.getKeyManagers());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    loaded.keyManager == null ? null : new KeyManager[] {loaded.keyManager},
                    new TrustManager[] {loaded.trustManager},
                    null);
            loaded.sslContext = context;
        } catch (GeneralSecurityException e) {
            tls.problem(
                    "enabled",
                    true,
                    "the JVM cannot make a TLS context: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return new TlsSettings(loaded);
    }

    /** Whether TLS is on. */
    public boolean enabled() {
        return enabled;
    }

    /** Whether the server certificate must name the host connected to (default true). */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** Whether a client certificate is configured (PEM files or a key store). */
    public boolean hasClientCertificate() {
        return certFile != null || keyStore != null;
    }

    /** Whether trusted CAs are configured (else the JVM's default CAs are trusted). */
    public boolean hasTrustedCas() {
        return caFile != null || trustStore != null;
    }

    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    public Optional<Path> certFile() {
        return Optional.ofNullable(certFile);
    }

    public Optional<Path> keyFile() {
        return Optional.ofNullable(keyFile);
    }

    public Optional<Path> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    /** The trust store's type, given or from its name; present when a trust store is. */
    public Optional<StoreType> trustStoreType() {
        return Optional.ofNullable(trustStoreType);
    }

    /** From {@code trust-store-password} or {@code trust-store-password-file}. */
    public Optional<Secret> trustStorePassword() {
        return Optional.ofNullable(trustStorePassword);
    }

    public Optional<Path> keyStore() {
        return Optional.ofNullable(keyStore);
    }

    /** The key store's type, given or from its name; present when a key store is. */
    public Optional<StoreType> keyStoreType() {
        return Optional.ofNullable(keyStoreType);
    }

    /** From {@code key-store-password} or {@code key-store-password-file}. */
    public Optional<Secret> keyStorePassword() {
        return Optional.ofNullable(keyStorePassword);
    }

    /**
     * The context for JSSE sockets: the configured (or the JVM's default) trust, and the client
     * certificate when one is configured. Use it with {@link #sslParameters()}.
     *
     * @throws IllegalStateException when TLS is off or the settings had problems (validate the section first)
     */
    public SSLContext sslContext() {
        return loadedOrThrow(sslContext);
    }

    /** {@link #sslContext()}'s socket factory (Jedis's {@code sslSocketFactory}). */
    public SSLSocketFactory socketFactory() {
        return sslContext().getSocketFactory();
    }

    /**
     * New parameters for a client socket or engine: endpoint identification {@code HTTPS} (the
     * server certificate must name the host connected to) when host names are verified, none
     * otherwise. Each call returns a new object.
     */
    public SSLParameters sslParameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm(hostnameVerification ? "HTTPS" : null);
        return parameters;
    }

    /**
     * The trust manager: the configured CAs (or the JVM's default ones); it checks the host name when
     * the caller sets endpoint identification and host names are verified, and never when {@code
     * hostname-verification} is false.
     *
     * @throws IllegalStateException when TLS is off or the settings had problems
     */
    public X509ExtendedTrustManager trustManager() {
        return loadedOrThrow(trustManager);
    }

    /**
     * The key manager presenting the client certificate, when one is configured.
     *
     * @throws IllegalStateException when TLS is off or the settings had problems
     */
    public Optional<X509ExtendedKeyManager> keyManager() {
        loadedOrThrow(sslContext);
        return Optional.ofNullable(keyManager);
    }

    private <T> T loadedOrThrow(T value) {
        if (!enabled) {
            throw new IllegalStateException("TLS is not enabled");
        }
        if (value == null) {
            throw new IllegalStateException(
                    "the TLS settings could not be loaded: validate the configuration section before using them");
        }
        return value;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "TlsSettings{disabled}";
        }
        StringBuilder text = new StringBuilder("TlsSettings{enabled");
        if (caFile != null) {
            text.append(", ca-file=").append(caFile);
        }
        if (trustStore != null) {
            text.append(", trust-store=")
                    .append(trustStore)
                    .append(" (")
                    .append(name(trustStoreType))
                    .append(')');
        }
        if (certFile != null) {
            text.append(", cert-file=").append(certFile).append(", key-file=").append(keyFile);
        }
        if (keyStore != null) {
            text.append(", key-store=")
                    .append(keyStore)
                    .append(" (")
                    .append(name(keyStoreType))
                    .append(')');
        }
        return text.append(", hostname-verification=")
                .append(hostnameVerification)
                .append('}')
                .toString();
    }

    private static String name(StoreType type) {
        return type == null ? "?" : type.name().toLowerCase(Locale.ROOT);
    }

    private static StoreType typeOf(String file) {
        return file.toLowerCase(Locale.ROOT).endsWith(".jks") ? StoreType.JKS : StoreType.PKCS12;
    }

    /** The file's bytes, or null with a problem recorded under {@code key}. */
    private static byte[] readFile(ConfigSection tls, String key, String file) {
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
            tls.problem(key, file, "it is a directory, not a file");
            return null;
        }
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            tls.problem(key, file, "the file does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            tls.problem(key, file, "the file cannot be read: permission denied");
        } catch (IOException | RuntimeException e) {
            tls.problem(key, file, "the file cannot be read: " + e.getClass().getSimpleName());
        }
        return null;
    }

    private static KeyStore pemTrust(ConfigSection tls, String key, String file) {
        byte[] bytes = readFile(tls, key, file);
        if (bytes == null) {
            return null;
        }
        try {
            List<X509Certificate> certificates = PemFiles.certificates(new String(bytes, StandardCharsets.US_ASCII));
            KeyStore store = emptyStore();
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return store;
        } catch (PemFiles.PemException e) {
            tls.problem(key, file, e.getMessage());
        } catch (GeneralSecurityException | IOException e) {
            tls.problem(key, file, "its certificates cannot be used: " + e.getMessage());
        }
        return null;
    }

    private static KeyStore storeTrust(ConfigSection tls, String file, StoreType type, Secret password) {
        KeyStore store = loadStore(tls, "trust-store", file, type, password);
        if (store == null) {
            return null;
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias) || store.getCertificate(alias) != null) {
                    return store;
                }
            }
            tls.problem(
                    "trust-store",
                    file,
                    password == null
                            ? "it shows no certificate without a password (PKCS12 encrypts them): set"
                                    + " trust-store-password"
                            : "it holds no certificate to trust");
        } catch (GeneralSecurityException e) {
            tls.problem("trust-store", file, "its entries cannot be read: " + e.getMessage());
        }
        return null;
    }

    private static KeyManagerFactory pemKeys(ConfigSection tls, String certFile, String keyFile) {
        byte[] certBytes = readFile(tls, "cert-file", certFile);
        byte[] keyBytes = readFile(tls, "key-file", keyFile);
        if (certBytes == null || keyBytes == null) {
            return null;
        }
        List<X509Certificate> chain;
        try {
            chain = PemFiles.certificates(new String(certBytes, StandardCharsets.US_ASCII));
        } catch (PemFiles.PemException e) {
            tls.problem("cert-file", certFile, e.getMessage());
            return null;
        }
        PrivateKey key;
        try {
            key = PemFiles.privateKey(new String(keyBytes, StandardCharsets.US_ASCII));
        } catch (PemFiles.PemException e) {
            tls.problem("key-file", keyFile, e.getMessage());
            return null;
        } finally {
            java.util.Arrays.fill(keyBytes, (byte) 0);
        }
        if (!matches(key, chain.get(0).getPublicKey())) {
            tls.problem(
                    "key-file",
                    keyFile,
                    "it is not the private key of the certificate in cert-file ("
                            + chain.get(0).getSubjectX500Principal() + ")");
            return null;
        }
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("client", key, ENTRY_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, ENTRY_PASSWORD);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            tls.problem("key-file", keyFile, "the key and certificate cannot be used: " + e.getMessage());
            return null;
        }
    }

    private static KeyManagerFactory storeKeys(ConfigSection tls, String file, StoreType type, Secret password) {
        KeyStore store = loadStore(tls, "key-store", file, type, password);
        if (store == null) {
            return null;
        }
        char[] chars = password.reveal().toCharArray();
        try {
            boolean hasKey = false;
            for (String alias : Collections.list(store.aliases())) {
                hasKey |= store.isKeyEntry(alias);
            }
            if (!hasKey) {
                tls.problem("key-store", file, "it holds no private key entry");
                return null;
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, chars);
            return factory;
        } catch (UnrecoverableKeyException e) {
            tls.problem(
                    "key-store",
                    file,
                    "its private key cannot be opened with key-store-password: the key must have the store's password");
        } catch (GeneralSecurityException e) {
            tls.problem(
                    "key-store",
                    file,
                    "its entries cannot be read: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
        return null;
    }

    private static KeyStore loadStore(ConfigSection tls, String key, String file, StoreType type, Secret password) {
        byte[] bytes = readFile(tls, key, file);
        if (bytes == null) {
            return null;
        }
        char[] chars = password == null ? null : password.reveal().toCharArray();
        try {
            KeyStore store = KeyStore.getInstance(type.name());
            store.load(new ByteArrayInputStream(bytes), chars);
            return store;
        } catch (IOException e) {
            if (isWrongPassword(e)) {
                tls.problem(
                        key,
                        file,
                        password == null
                                ? "it cannot be opened without a password: set " + key + "-password"
                                : key + "-password does not open it: the password is wrong");
            } else {
                tls.problem(
                        key,
                        file,
                        "it is not a " + type.name() + " store (" + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
        } catch (GeneralSecurityException e) {
            tls.problem(
                    key,
                    file,
                    "it cannot be loaded as a " + type.name() + " store: "
                            + e.getClass().getSimpleName());
        } finally {
            if (chars != null) {
                java.util.Arrays.fill(chars, '\0');
            }
        }
        return null;
    }

    /** What the JDK's PKCS12 and JKS loaders throw for a wrong password. */
    private static boolean isWrongPassword(IOException e) {
        if (e.getCause() instanceof UnrecoverableKeyException) {
            return true;
        }
        String message = e.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("password");
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** Whether the private key signs what the public key verifies. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                algorithm = key.getAlgorithm();
                break;
            case "DSA":
                algorithm = "SHA256withDSA";
                break;
            default:
                return true; // cannot check here: the handshake will
        }
        try {
            byte[] challenge = "globallock key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static X509ExtendedTrustManager extended(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) manager;
            }
        }
        throw new GeneralSecurityException("the JVM's trust manager factory made no X509ExtendedTrustManager");
    }

    private static X509ExtendedKeyManager extendedKeyManager(KeyManager[] managers) throws GeneralSecurityException {
        for (KeyManager manager : managers) {
            if (manager instanceof X509ExtendedKeyManager) {
                return (X509ExtendedKeyManager) manager;
            }
        }
        throw new GeneralSecurityException("the JVM's key manager factory made no X509ExtendedKeyManager");
    }

    /** What {@link #read} loads, gathered before the immutable settings are made. */
    private static final class Loaded {
        boolean enabled;
        boolean hostnameVerification = true;
        Path caFile;
        Path certFile;
        Path keyFile;
        Path trustStore;
        StoreType trustStoreType;
        Secret trustStorePassword;
        Path keyStore;
        StoreType keyStoreType;
        Secret keyStorePassword;
        X509ExtendedTrustManager trustManager;
        X509ExtendedKeyManager keyManager;
        SSLContext sslContext;
    }

    /**
     * Checks the chain like the delegate but never the host name, even when the socket or engine
     * asks for endpoint identification: {@code hostname-verification: false}.
     */
    private static final class IgnoringHostNames extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        IgnoringHostNames(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
