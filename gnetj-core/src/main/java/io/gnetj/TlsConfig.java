package io.gnetj;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a connection speaks TLS, through the JDK's {@code SSLEngine}: the key and trust material,
 * the protocol versions (TLS 1.3 and 1.2 only), cipher suites, ALPN protocols, client
 * authentication, and for clients hostname verification and SNI. Immutable; built with
 * {@link #builder()} and handed to {@link Options.Builder#tls(TlsConfig)}.
 *
 * <p>A server serves TLS on the addresses whose scheme says so ({@code tls://:443},
 * {@code tls4://}, {@code tls6://}); a client dials those schemes with it. One config serves
 * both roles: a server needs key material ({@link Builder#keyStore}, {@link Builder#pem} or an
 * {@link Builder#sslContext}); a client needs trust material unless the JDK's default trust store
 * will do ({@link Builder#trustPem}, {@link Builder#trustStore}).
 *
 * <pre>{@code
 * TlsConfig server = TlsConfig.builder().pem(Path.of("cert.pem"), Path.of("key.pem"))
 *         .applicationProtocols("http/1.1").build();
 * Gnet.rotate(handler, List.of("tls://:443", "tcp://:80"), Options.builder().tls(server).build());
 *
 * TlsConfig client = TlsConfig.builder().trustPem(Path.of("ca.pem")).build();
 * Client.start(handler, Options.builder().tls(client).build()).dial("tls://example.com:443");
 * }</pre>
 *
 * <p>Threading: immutable, safe to share between engines.
 */
public final class TlsConfig {

    /** Whether a server asks clients for a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for (the default). */
        NONE,
        /** A client certificate is asked for; a client without one is still accepted. */
        WANT,
        /** A client certificate is required; a client without a trusted one fails the handshake. */
        NEED
    }

    /** The protocol versions gnetj speaks: TLS 1.3 and 1.2, newest first. */
    public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"};

    private final SSLContext sslContext;
    private final boolean hasKeyMaterial;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final List<String> applicationProtocols;
    private final ClientAuth clientAuth;
    private final boolean hostnameVerification;
    private final String serverName;
    private final Duration handshakeTimeout;
    private final Executor delegatedTaskExecutor;

    private TlsConfig(Builder b, SSLContext sslContext, boolean hasKeyMaterial) {
        this.sslContext = sslContext;
        this.hasKeyMaterial = hasKeyMaterial;
        this.protocols = b.protocols;
        this.cipherSuites = b.cipherSuites;
        this.applicationProtocols = b.applicationProtocols;
        this.clientAuth = b.clientAuth;
        this.hostnameVerification = b.hostnameVerification;
        this.serverName = b.serverName;
        this.handshakeTimeout = b.handshakeTimeout;
        this.delegatedTaskExecutor = b.delegatedTaskExecutor;
    }

    /** {@return a builder holding every default} Any thread. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the context every connection's {@code SSLEngine} is created from} Any thread. */
    public SSLContext sslContext() { return sslContext; }

    /**
     * {@return whether this config can serve} It can when it was given key material
     * ({@link Builder#keyStore}, {@link Builder#pem}) or an {@link Builder#sslContext} (assumed to
     * hold some). Any thread.
     */
    public boolean hasKeyMaterial() { return hasKeyMaterial; }

    /**
     * {@return the enabled protocol versions, a non-empty subset of {@link #SUPPORTED_PROTOCOLS}}
     * Default both. Any thread.
     */
    public List<String> protocols() { return protocols; }

    /**
     * {@return the enabled cipher suites; empty means the JDK's defaults for {@link #protocols()}}
     * Default empty. Any thread.
     */
    public List<String> cipherSuites() { return cipherSuites; }

    /**
     * {@return the ALPN protocols in order of preference; empty means no ALPN} A server picks the
     * first of its own list the client offers. Default empty. Any thread.
     */
    public List<String> applicationProtocols() { return applicationProtocols; }

    /**
     * {@return whether a server asks for client certificates} Default {@link ClientAuth#NONE}. Any
     * thread.
     */
    public ClientAuth clientAuth() { return clientAuth; }

    /**
     * {@return whether a client requires the server's certificate to name the host dialed}
     * ({@code HTTPS} endpoint identification: DNS names, or IP addresses for an IP literal.)
     * Default {@code true}. Any thread.
     */
    public boolean hostnameVerification() { return hostnameVerification; }

    /**
     * {@return the name a client sends as SNI and checks against the certificate instead of the
     * dialed host, or {@code null} to use the dialed host} (IP literals send no SNI.) Default
     * {@code null}. Any thread.
     */
    public String serverName() { return serverName; }

    /**
     * {@return how long a handshake may take from the connection's registration} Past it the
     * connection is closed (a server logs it, a dial fails). Checked by the loops' sweep, so it may
     * last up to one sweep interval longer. Default 10 s. Any thread.
     */
    public Duration handshakeTimeout() { return handshakeTimeout; }

    /**
     * {@return where the {@code SSLEngine}'s delegated tasks (the handshake's public-key work) run,
     * or {@code null} for a small pool each engine starts on first use and stops with it} They
     * never run on an event loop unless this executor runs tasks in the calling thread. Default
     * {@code null}. Any thread.
     */
    public Executor delegatedTaskExecutor() { return delegatedTaskExecutor; }

    @Override
    public String toString() {
        return "TlsConfig{protocols=" + protocols + ", cipherSuites=" + (cipherSuites.isEmpty() ? "default" : cipherSuites)
                + ", alpn=" + applicationProtocols + ", clientAuth=" + clientAuth
                + ", hostnameVerification=" + hostnameVerification + ", serverName=" + serverName
                + ", handshakeTimeout=" + handshakeTimeout + ", keyMaterial=" + hasKeyMaterial + '}';
    }

    /**
     * Builds {@link TlsConfig}. Key material comes from at most one of {@link #keyStore},
     * {@link #pem} and {@link #sslContext}; trust material from at most one of {@link #trustStore}
     * and {@link #trustPem} (none: the JDK's default trust store), and not with {@code sslContext}.
     * Files are read by {@link #build()}.
     *
     * <p>Threading: not thread-safe.
     */
    public static final class Builder {
        private SSLContext sslContext;
        private Path keyStore;
        private char[] keyStorePassword;
        private Path certificateChain;
        private Path privateKey;
        private Path trustStore;
        private char[] trustStorePassword;
        private Path trustPem;
        private List<String> protocols = SUPPORTED_PROTOCOLS;
        private List<String> cipherSuites = List.of();
        private List<String> applicationProtocols = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private boolean hostnameVerification = true;
        private String serverName;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Executor delegatedTaskExecutor;

        private Builder() {
        }

        /**
         * Uses a ready context (key and trust material included); excludes the file-based setters.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param context the context every connection's {@code SSLEngine} is created from
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "sslContext");
            return this;
        }

        /**
         * Key material from a PKCS#12 (or JKS) key store: the first key entry and its chain.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param file the key store
         * @param password its password (copied), or null for none
         * @return this builder
         */
        public Builder keyStore(Path file, char[] password) {
            this.keyStore = Objects.requireNonNull(file, "keyStore");
            this.keyStorePassword = password == null ? new char[0] : password.clone();
            return this;
        }

        /**
         * Key material from PEM files: the certificate chain (leaf first) and an unencrypted
         * PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or EdDSA).
         * One thread at a time: a builder is not thread-safe.
         *
         * @param certificateChain the PEM file of the certificate chain, leaf first
         * @param privateKey the PEM file of the private key
         * @return this builder
         */
        public Builder pem(Path certificateChain, Path privateKey) {
            this.certificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * Trusts the certificates of a PKCS#12 (or JKS) trust store.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param file the trust store
         * @param password its password (copied), or null for none
         * @return this builder
         */
        public Builder trustStore(Path file, char[] password) {
            this.trustStore = Objects.requireNonNull(file, "trustStore");
            this.trustStorePassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * Trusts the certificates (typically CA certificates) of a PEM file.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param certificates the PEM file
         * @return this builder
         */
        public Builder trustPem(Path certificates) {
            this.trustPem = Objects.requireNonNull(certificates, "trustPem");
            return this;
        }

        /**
         * Sets {@link TlsConfig#protocols()}. One thread at a time: a builder is not thread-safe.
         *
         * @param protocols one or both of {@code TLSv1.3}, {@code TLSv1.2}
         * @return this builder
         * @throws IllegalArgumentException if none is given, or one is not supported
         */
        public Builder protocols(String... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("protocols must name at least one of " + SUPPORTED_PROTOCOLS);
            }
            for (String p : protocols) {
                if (!SUPPORTED_PROTOCOLS.contains(p)) {
                    throw new IllegalArgumentException("protocol '" + p + "' is not supported; gnetj speaks "
                            + SUPPORTED_PROTOCOLS);
                }
            }
            this.protocols = List.of(protocols);
            return this;
        }

        /**
         * Sets {@link TlsConfig#cipherSuites()}.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param suites the JDK's names of the suites; none for the JDK's defaults
         * @return this builder
         */
        public Builder cipherSuites(String... suites) {
            this.cipherSuites = List.of(suites);
            return this;
        }

        /**
         * Sets {@link TlsConfig#applicationProtocols()}.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param protocols ALPN names in order of preference, e.g. {@code "h2", "http/1.1"}
         * @return this builder
         * @throws IllegalArgumentException if a name is empty
         */
        public Builder applicationProtocols(String... protocols) {
            for (String p : protocols) {
                if (p.isEmpty()) {
                    throw new IllegalArgumentException("an ALPN protocol name must not be empty");
                }
            }
            this.applicationProtocols = List.of(protocols);
            return this;
        }

        /**
         * Sets {@link TlsConfig#clientAuth()}. One thread at a time: a builder is not thread-safe.
         *
         * @param auth whether a server asks for client certificates
         * @return this builder
         */
        public Builder clientAuth(ClientAuth auth) {
            this.clientAuth = Objects.requireNonNull(auth, "clientAuth");
            return this;
        }

        /**
         * Sets {@link TlsConfig#hostnameVerification()}. Turning it off lets any trusted
         * certificate pass. One thread at a time: a builder is not thread-safe.
         *
         * @param on whether the server's certificate must name the host dialed
         * @return this builder
         */
        public Builder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        /**
         * Sets {@link TlsConfig#serverName()}. One thread at a time: a builder is not thread-safe.
         *
         * @param name the SNI name, or {@code null} for the dialed host
         * @return this builder
         */
        public Builder serverName(String name) {
            this.serverName = name;
            return this;
        }

        /**
         * Sets {@link TlsConfig#handshakeTimeout()}.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "handshakeTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, got " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * Sets {@link TlsConfig#delegatedTaskExecutor()}.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param executor where delegated tasks run, or {@code null} for the engine's own pool
         * @return this builder
         */
        public Builder delegatedTaskExecutor(Executor executor) {
            this.delegatedTaskExecutor = executor;
            return this;
        }

        /**
         * Reads the files and builds the {@link SSLContext}.
         * One thread at a time: a builder is not thread-safe.
         *
         * @return the config
         * @throws IllegalArgumentException if the settings conflict or a file's content is not usable
         *                                  (the message names the file and what is wrong)
         * @throws UncheckedIOException     if a file cannot be read
         */
        public TlsConfig build() {
            int keySources = (sslContext != null ? 1 : 0) + (keyStore != null ? 1 : 0) + (certificateChain != null ? 1 : 0);
            if (keySources > 1) {
                throw new IllegalArgumentException("give key material once: sslContext, keyStore or pem");
            }
            if (trustStore != null && trustPem != null) {
                throw new IllegalArgumentException("give trust material once: trustStore or trustPem");
            }
            if (sslContext != null && (trustStore != null || trustPem != null)) {
                throw new IllegalArgumentException("an sslContext carries its own trust material; drop trustStore/trustPem");
            }
            if (sslContext != null) {
                return new TlsConfig(this, sslContext, true);
            }
            KeyManager[] keys = null;
            if (keyStore != null) {
                keys = keyManagers(loadStore(keyStore, keyStorePassword), keyStorePassword, keyStore);
            } else if (certificateChain != null) {
                keys = pemKeyManagers();
            }
            TrustManager[] trust = null;
            if (trustStore != null) {
                trust = trustManagers(loadStore(trustStore, trustStorePassword), trustStore);
            } else if (trustPem != null) {
                trust = trustManagers(pemTrustStore(), trustPem);
            }
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keys, trust, null);
                return new TlsConfig(this, context, keys != null);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
            }
        }

        private static KeyStore loadStore(Path file, char[] password) {
            InputStream in;
            try {
                in = Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read key store " + file, e);
            }
            try (in) {
                KeyStore store = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
                store.load(in, password);
                return store;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load key store " + file + ": " + e.getMessage()
                        + " (wrong password, or not a PKCS#12/JKS file?)", e);
            }
        }

        private static KeyManager[] keyManagers(KeyStore store, char[] password, Path from) {
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, password);
                return kmf.getKeyManagers();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use the keys of " + from + ": " + e.getMessage(), e);
            }
        }

        private static TrustManager[] trustManagers(KeyStore store, Path from) {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                return tmf.getTrustManagers();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot trust the certificates of " + from + ": " + e.getMessage(), e);
            }
        }

        private KeyManager[] pemKeyManagers() {
            List<Certificate> chain = readCertificates(certificateChain);
            PrivateKey key = readPrivateKey(privateKey);
            char[] password = randomPassword();
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", key, password, chain.toArray(new Certificate[0]));
                return keyManagers(store, password, certificateChain);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("the key " + privateKey + " does not fit the certificate chain "
                        + certificateChain + ": " + e.getMessage(), e);
            }
        }

        private KeyStore pemTrustStore() {
            List<Certificate> certificates = readCertificates(trustPem);
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < certificates.size(); i++) {
                    store.setCertificateEntry("trusted-" + i, certificates.get(i));
                }
                return store;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot trust the certificates of " + trustPem + ": " + e.getMessage(), e);
            }
        }

        private static List<Certificate> readCertificates(Path file) {
            Collection<? extends Certificate> read;
            try (InputStream in = Files.newInputStream(file)) {
                read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read certificates from " + file, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("no X.509 certificate in " + file + ": " + e.getMessage(), e);
            }
            if (read.isEmpty()) {
                throw new IllegalArgumentException("no X.509 certificate in " + file);
            }
            return new ArrayList<>(read);
        }

        private static PrivateKey readPrivateKey(Path file) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read private key " + file, e);
            }
            if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
                throw new IllegalArgumentException(file + " holds an encrypted key; gnetj reads unencrypted PKCS#8"
                        + " (openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem), or use a PKCS#12 keyStore");
            }
            String begin = "-----BEGIN PRIVATE KEY-----";
            String end = "-----END PRIVATE KEY-----";
            int from = text.indexOf(begin);
            int to = text.indexOf(end);
            if (from < 0 || to < from) {
                throw new IllegalArgumentException(file + " holds no PKCS#8 private key (" + begin + "); convert a"
                        + " PKCS#1/SEC1 key with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": the private key is not valid base64", e);
            }
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                    // not this algorithm: try the next
                }
            }
            throw new IllegalArgumentException(file + ": the PKCS#8 key is none of " + List.of(KEY_ALGORITHMS));
        }

        private static char[] randomPassword() {
            SecureRandom random = new SecureRandom();
            char[] password = new char[24];
            for (int i = 0; i < password.length; i++) {
                password[i] = (char) ('a' + random.nextInt(26));
            }
            return password;
        }
    }
}
