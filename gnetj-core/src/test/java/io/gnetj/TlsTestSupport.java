package io.gnetj;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material for tests, made at test time and never committed: self-signed certificates from
 * the running JDK's {@code keytool} in a temporary directory, deleted when the JVM exits; and
 * clients: the JDK's {@link SSLSocket}, and {@link EngineClient}, a blocking {@link SSLEngine}
 * client that can also send what no well-behaved client would (a truncated record).
 */
final class TlsTestSupport {

    static final char[] PASSWORD = "changeit".toCharArray();

    /** A certificate and its key: a PKCS#12 store, the certificate as PEM, and the key as PKCS#8 PEM. */
    record Identity(Path keyStore, Path certificatePem, Path privateKeyPem) {
        /** A server config from the PKCS#12 store. */
        TlsConfig.Builder server() {
            return TlsConfig.builder().keyStore(keyStore, PASSWORD);
        }

        /** A client context (the JDK's) trusting this certificate. */
        SSLContext trustingContext() {
            return TlsTestSupport.trustingContext(certificatePem);
        }
    }

    private static Identity localhost;
    private static Identity wrongName;

    private TlsTestSupport() {
    }

    /** Valid for {@code localhost} and {@code 127.0.0.1}. */
    static synchronized Identity localhost() throws Exception {
        if (localhost == null) {
            localhost = generate("localhost", "dns:localhost,ip:127.0.0.1");
        }
        return localhost;
    }

    /** Valid only for {@code gnetj.invalid}: a client dialing 127.0.0.1 with verification on refuses it. */
    static synchronized Identity wrongName() throws Exception {
        if (wrongName == null) {
            wrongName = generate("gnetj.invalid", "dns:gnetj.invalid");
        }
        return wrongName;
    }

    private static Identity generate(String cn, String san) throws Exception {
        Path dir = Files.createTempDirectory("gnetj-tls-test");
        dir.toFile().deleteOnExit();
        Path store = dir.resolve(cn + ".p12");
        Path certificate = dir.resolve(cn + ".pem");
        Path key = dir.resolve(cn + ".key.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + cn, "-ext", "SAN=" + san, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD), "-file", certificate.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        PrivateKey privateKey = (PrivateKey) ks.getKey("server", PASSWORD);
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(privateKey.getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        for (Path p : List.of(store, certificate, key)) {
            p.toFile().deleteOnExit();
        }
        return new Identity(store, certificate, key);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + String.join(" ", command) + "\n"
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    /** The JDK's context trusting exactly the certificates of {@code pem}. */
    static SSLContext trustingContext(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A connected, handshaken JDK client socket with a read timeout. */
    static SSLSocket connect(SSLContext context, int port, String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        try {
            socket.setSoTimeout((int) TestServers.WAIT.toMillis());
            socket.setTcpNoDelay(true);
            if (alpn.length > 0) {
                SSLParameters p = socket.getSSLParameters();
                p.setApplicationProtocols(alpn);
                socket.setSSLParameters(p);
            }
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    static int port(Engine engine, int index) {
        return ((InetSocketAddress) engine.addresses().get(index)).getPort();
    }

    /**
     * A blocking TLS client on a raw {@link SSLEngine}: handshakes, then wraps and sends whatever
     * the test asks, whole or cut short, and reads records one by one.
     */
    static final class EngineClient implements AutoCloseable {
        private final SocketChannel channel;
        private final SSLEngine engine;
        private final ByteBuffer netIn = ByteBuffer.allocate(64 * 1024);
        private final ByteBuffer plain = ByteBuffer.allocate(64 * 1024);

        EngineClient(SSLContext context, int port, String... protocols) throws IOException {
            channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.socket().setSoTimeout((int) TestServers.WAIT.toMillis());
            engine = context.createSSLEngine("localhost", port);
            engine.setUseClientMode(true);
            if (protocols.length > 0) {
                engine.setEnabledProtocols(protocols);
            }
            handshake();
        }

        private void handshake() throws IOException {
            engine.beginHandshake();
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP:
                        send(wrap(new byte[0]));
                        break;
                    case NEED_UNWRAP:
                        SSLEngineResult r = unwrapOnce();
                        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                            return;
                        }
                        break;
                    case NEED_TASK:
                        Runnable task;
                        while ((task = engine.getDelegatedTask()) != null) {
                            task.run();
                        }
                        break;
                    default:
                        return;
                }
            }
        }

        /** One unwrap, reading from the socket first if no complete record is buffered. */
        private SSLEngineResult unwrapOnce() throws IOException {
            while (true) {
                netIn.flip();
                SSLEngineResult r = engine.unwrap(netIn, plain);
                netIn.compact();
                if (r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    return r;
                }
                if (readSome() < 0) {
                    throw new java.io.EOFException("EOF from the server during unwrap");
                }
            }
        }

        private int readSome() throws IOException {
            // Blocking channel reads ignore SO_TIMEOUT: read through the socket's stream instead.
            byte[] chunk = new byte[netIn.remaining()];
            int n = channel.socket().getInputStream().read(chunk);
            if (n > 0) {
                netIn.put(chunk, 0, n);
            }
            return n;
        }

        /** The TLS records that carry {@code bytes}. */
        ByteBuffer wrap(byte[] bytes) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(bytes.length + 64 * 1024);
            ByteBuffer src = ByteBuffer.wrap(bytes);
            do {
                engine.wrap(src, out);
            } while (src.hasRemaining());
            return out.flip();
        }

        void send(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        /**
         * Reads records until {@code n} plaintext bytes came or the server's {@code close_notify};
         * returns the plaintext and whether close_notify came.
         */
        Received receive(int n) throws IOException {
            plain.clear();
            while (plain.position() < n) {
                SSLEngineResult r = unwrapOnce();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return new Received(copy(), true);
                }
            }
            return new Received(copy(), false);
        }

        private byte[] copy() {
            byte[] out = new byte[plain.position()];
            plain.flip();
            plain.get(out);
            plain.clear();
            return out;
        }

        /** The raw socket: for reading EOF or shutting down output after a cut record. */
        SocketChannel channel() {
            return channel;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** What {@link EngineClient#receive} got. */
    record Received(byte[] bytes, boolean closeNotify) {
        String text() {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }
}
