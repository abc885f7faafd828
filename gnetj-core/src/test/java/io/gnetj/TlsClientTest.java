package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.buffer.BufferPool;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** gnetj's Client dialing TLS servers: gnetj's own and the JDK's SSLServerSocket. */
class TlsClientTest {

    private static void stopBoth(Client client, BufferPool clientPool, Engine server, BufferPool serverPool) {
        client.stop();
        if (server != null) {
            server.stop();
        }
        assertThat(clientPool.inUseBytes()).as("client's pooled bytes lent out after stop").isZero();
        if (serverPool != null) {
            assertThat(serverPool.inUseBytes()).as("server's pooled bytes lent out after stop").isZero();
        }
    }

    @Test
    void dialsAGnetjTlsServerAndNegotiatesAlpn() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        BufferPool serverPool = BufferPool.create();
        Engine server = Gnet.start(new TestServers.Echo(), "tls://127.0.0.1:0", Options.builder().bufferPool(serverPool)
                .tls(id.server().applicationProtocols("h2", "http/1.1").build()).build());
        BufferPool clientPool = BufferPool.create();
        ClientTest.Collector collector = new ClientTest.Collector();
        Client client = Client.start(collector, Options.builder().numEventLoops(2).bufferPool(clientPool)
                .tls(TlsConfig.builder().trustPem(id.certificatePem()).applicationProtocols("http/1.1").build()).build());
        try {
            Conn conn = client.dial("tls://localhost:" + TlsTestSupport.port(server, 0), "ctx");
            assertThat(collector.opened.get()).as("onOpen ran, after the handshake, before dial returned").isEqualTo(1);
            assertThat(conn.applicationProtocol()).isEqualTo("http/1.1");
            assertThat(conn.tlsSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(conn.tlsSession().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
            conn.asyncWrite(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("ping");
            // An IP literal is verified against the certificate's IP addresses.
            Conn byIp = client.dial("tls://127.0.0.1:" + TlsTestSupport.port(server, 0));
            byIp.asyncWrite(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("pong");
        } finally {
            stopBoth(client, clientPool, server, serverPool);
        }
        assertThat(collector.closed.get()).isEqualTo(2);
    }

    @Test
    void dialsTheJdksSslServerSocket() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(id.keyStore())) {
            keys.load(in, TlsTestSupport.PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, TlsTestSupport.PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        BufferPool clientPool = BufferPool.create();
        ClientTest.Collector collector = new ClientTest.Collector();
        Client client = Client.start(collector, Options.builder().bufferPool(clientPool)
                .tls(TlsConfig.builder().trustPem(id.certificatePem()).applicationProtocols("echo/1").build()).build());
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            SSLParameters p = listener.getSSLParameters();
            p.setApplicationProtocols(new String[] {"echo/1"});
            listener.setSSLParameters(p);
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.setSoTimeout((int) TestServers.WAIT.toMillis());
                    byte[] hello = TestServers.readExactly(socket.getInputStream(), 5);
                    OutputStream out = socket.getOutputStream();
                    out.write("world".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return new String(hello, StandardCharsets.US_ASCII) + " " + socket.getApplicationProtocol();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Conn conn = client.dial("tls://localhost:" + listener.getLocalPort());
            assertThat(conn.applicationProtocol()).isEqualTo("echo/1");
            conn.asyncWrite(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("world");
            assertThat(served.get(20, TimeUnit.SECONDS)).isEqualTo("hello echo/1");
            // The JDK server closed its socket (close_notify): our side closes, orderly.
            TestServers.await("onClose after the server closed", () -> collector.closed.get() == 1);
        } finally {
            stopBoth(client, clientPool, null, null);
        }
    }

    @Test
    void aCertificateForAnotherNameFailsTheDialUnlessVerificationIsOff() throws Exception {
        TlsTestSupport.Identity wrong = TlsTestSupport.wrongName();
        BufferPool serverPool = BufferPool.create();
        Engine server = Gnet.start(new TestServers.Echo(), "tls://127.0.0.1:0",
                Options.builder().bufferPool(serverPool).tls(wrong.server().build()).build());
        String address = "tls://127.0.0.1:" + TlsTestSupport.port(server, 0);
        BufferPool clientPool = BufferPool.create();
        ClientTest.Collector collector = new ClientTest.Collector();
        Client verifying = Client.start(collector, Options.builder().bufferPool(clientPool)
                .tls(TlsConfig.builder().trustPem(wrong.certificatePem()).build()).build());
        try {
            assertThatThrownBy(() -> verifying.dial(address))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("cannot dial '" + address + "'")
                    .hasMessageContaining("127.0.0.1");
            assertThat(collector.opened.get()).isZero();
            assertThat(verifying.countConnections()).isZero();
        } finally {
            verifying.stop();
        }
        assertThat(collector.closed.get()).as("a dial that failed never opened: no onClose").isZero();
        ClientTest.Collector lenient = new ClientTest.Collector();
        Client unverified = Client.start(lenient, Options.builder().bufferPool(clientPool)
                .tls(TlsConfig.builder().trustPem(wrong.certificatePem()).hostnameVerification(false).build()).build());
        Client named = Client.start(lenient, Options.builder().bufferPool(clientPool)
                .tls(TlsConfig.builder().trustPem(wrong.certificatePem()).serverName("gnetj.invalid").build()).build());
        try {
            unverified.dial(address).asyncWrite(ByteBuffer.wrap("a".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(lenient.poll()).isEqualTo("a");
            named.dial(address).asyncWrite(ByteBuffer.wrap("b".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(lenient.poll()).isEqualTo("b");
        } finally {
            named.stop();
            stopBoth(unverified, clientPool, server, serverPool);
        }
    }

    @Test
    void mutualTlsShowsTheClientCertificateToTheServer() throws Exception {
        TlsTestSupport.Identity id = TlsTestSupport.localhost();
        CompletableFuture<String> peer = new CompletableFuture<>();
        EventHandler server = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.write(conn.next(-1));
                return Action.NONE;
            }

            @Override
            public Action onOpen(Conn conn) {
                try {
                    peer.complete(conn.tlsSession().getPeerPrincipal().getName());
                } catch (Exception e) {
                    peer.completeExceptionally(e);
                }
                return Action.NONE;
            }
        };
        BufferPool serverPool = BufferPool.create();
        Engine engine = Gnet.start(server, "tls://127.0.0.1:0", Options.builder().bufferPool(serverPool)
                .tls(TlsConfig.builder().keyStore(id.keyStore(), TlsTestSupport.PASSWORD).trustPem(id.certificatePem())
                        .clientAuth(TlsConfig.ClientAuth.NEED).build()).build());
        BufferPool clientPool = BufferPool.create();
        ClientTest.Collector collector = new ClientTest.Collector();
        Client client = Client.start(collector, Options.builder().bufferPool(clientPool)
                .tls(TlsConfig.builder().pem(id.certificatePem(), id.privateKeyPem()).trustPem(id.certificatePem()).build()).build());
        try {
            Conn conn = client.dial("tls://localhost:" + TlsTestSupport.port(engine, 0));
            conn.asyncWrite(ByteBuffer.wrap("mtls".getBytes(StandardCharsets.US_ASCII)), null);
            assertThat(collector.poll()).isEqualTo("mtls");
            assertThat(peer.get(20, TimeUnit.SECONDS)).isEqualTo("CN=localhost");
        } finally {
            stopBoth(client, clientPool, engine, serverPool);
        }
    }
}
