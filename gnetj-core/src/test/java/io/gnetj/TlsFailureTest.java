package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Bad input on a TLS listener: each closes its own connection, never the loop. A connection that
 * never finished its handshake never opened, so it gets no onOpen and no onClose.
 */
class TlsFailureTest {

    /** Echoes and counts; keeps every close cause. */
    static final class Counting implements EventHandler {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final Queue<Throwable> causes = new ConcurrentLinkedQueue<>();

        @Override
        public Action onOpen(Conn conn) {
            opened.incrementAndGet();
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            conn.write(conn.next(-1));
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            if (cause != null) {
                causes.add(cause);
            }
            closed.incrementAndGet();
            return Action.NONE;
        }
    }

    private static Engine start(Counting handler, BufferPool pool, TlsConfig.Builder tls) throws IOException {
        return Gnet.start(handler, "tls://127.0.0.1:0",
                Options.builder().numEventLoops(1).bufferPool(pool).tls(tls.build()).build());
    }

    /** The server closes: the client reads its end of stream (after any alert bytes) or a reset. */
    private static void awaitClosedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        int total = 0;
        try {
            int n;
            while ((n = in.read(sink)) >= 0) {
                total += n;
                assertThat(total).as("bytes from a server that should close").isLessThan(64 * 1024);
            }
        } catch (java.net.SocketException e) {
            // a reset is a close too
        }
    }

    /**
     * A failed handshake left nothing behind: the connection is released without {@code onOpen}
     * or {@code onClose}, and the engine still serves.
     */
    private static void neverOpenedAndStillServes(Engine engine, Counting handler) throws Exception {
        TestServers.await("the connection released", () -> engine.countConnections() == 0);
        assertThat(handler.opened.get()).isZero();
        assertThat(handler.closed.get()).isZero();
        stillServes(engine);
    }

    /** After a failure the engine still serves: one good client echoes. */
    private static void stillServes(Engine engine) throws Exception {
        try (SSLSocket socket = TlsTestSupport.connect(TlsTestSupport.localhost().trustingContext(),
                TlsTestSupport.port(engine, 0))) {
            TestServers.write(socket, "alive".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readExactly(socket.getInputStream(), 5)).isEqualTo("alive".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void stop(Engine engine, BufferPool pool) {
        engine.stop();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void aPlainTextClientIsClosedWithoutOpening() throws Exception {
        BufferPool pool = BufferPool.create();
        Counting handler = new Counting();
        Engine engine = start(handler, pool, TlsTestSupport.localhost().server());
        try {
            try (Socket socket = TestServers.connect(engine)) {
                TestServers.write(socket, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                awaitClosedByServer(socket);
            }
            neverOpenedAndStillServes(engine, handler);
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateNeverOpens() throws Exception {
        BufferPool pool = BufferPool.create();
        Counting handler = new Counting();
        Engine engine = start(handler, pool, TlsTestSupport.localhost().server());
        try {
            // The JDK's default trust store does not hold our self-signed certificate.
            assertThatThrownBy(() -> TlsTestSupport.connect(SSLContext.getDefault(), TlsTestSupport.port(engine, 0)).close())
                    .isInstanceOf(SSLHandshakeException.class);
            neverOpenedAndStillServes(engine, handler);
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void aTruncatedRecordClosesWithACause() throws Exception {
        BufferPool pool = BufferPool.create();
        Counting handler = new Counting();
        Engine engine = start(handler, pool, TlsTestSupport.localhost().server());
        try (TlsTestSupport.EngineClient client = new TlsTestSupport.EngineClient(
                TlsTestSupport.localhost().trustingContext(), TlsTestSupport.port(engine, 0))) {
            TestServers.await("onOpen", () -> handler.opened.get() == 1);
            ByteBuffer record = client.wrap("a record cut short".getBytes(StandardCharsets.US_ASCII));
            client.send(ByteBuffer.wrap(Arrays.copyOf(record.array(), 10)));
            client.channel().shutdownOutput();
            TestServers.await("onClose", () -> handler.closed.get() == 1);
            assertThat(handler.causes).singleElement().isInstanceOf(SSLException.class)
                    .satisfies(c -> assertThat(c.getMessage()).contains("truncated TLS record"));
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void aSilentClientIsClosedAfterTheHandshakeTimeout() throws Exception {
        BufferPool pool = BufferPool.create();
        Counting handler = new Counting();
        Engine engine = start(handler, pool, TlsTestSupport.localhost().server().handshakeTimeout(Duration.ofMillis(300)));
        try {
            long started = System.nanoTime();
            try (Socket socket = TestServers.connect(engine)) {
                awaitClosedByServer(socket);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(millis).as("closed after the 300 ms timeout, within a few sweeps").isBetween(250L, 5_000L);
            neverOpenedAndStillServes(engine, handler);
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void tls12RenegotiationIsRefused() throws Exception {
        BufferPool pool = BufferPool.create();
        Counting handler = new Counting();
        Engine engine = start(handler, pool, TlsTestSupport.localhost().server());
        try (SSLSocket socket = (SSLSocket) TlsTestSupport.localhost().trustingContext().getSocketFactory()
                .createSocket("localhost", TlsTestSupport.port(engine, 0))) {
            socket.setSoTimeout((int) TestServers.WAIT.toMillis());
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            TestServers.write(socket, "one".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readExactly(socket.getInputStream(), 3)).isEqualTo("one".getBytes(StandardCharsets.US_ASCII));
            try {
                socket.startHandshake(); // a second handshake: renegotiation
                TestServers.write(socket, "two".getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().read();
            } catch (IOException expected) {
                // the server closed the connection
            }
            TestServers.await("onClose", () -> handler.closed.get() == 1);
            assertThat(handler.causes).singleElement().satisfies(c -> assertThat(c.getMessage()).contains("renegotiation refused"));
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void aTlsAddressWithoutATlsConfigFailsFastNamingIt() throws Exception {
        assertThatThrownBy(() -> Gnet.start(new Counting(), List.of("tcp://127.0.0.1:0", "tls://127.0.0.1:0"), Options.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls://127.0.0.1:0").hasMessageContaining("TlsConfig");
        TlsConfig noKeys = TlsConfig.builder().trustPem(TlsTestSupport.localhost().certificatePem()).build();
        assertThatThrownBy(() -> Gnet.start(new Counting(), "tls://127.0.0.1:0", Options.builder().tls(noKeys).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls://127.0.0.1:0").hasMessageContaining("no certificate");
        Client client = Client.start(new Counting(), Options.defaults());
        try {
            assertThatThrownBy(() -> client.dial("tls://127.0.0.1:1"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tls://127.0.0.1:1").hasMessageContaining("TlsConfig");
        } finally {
            client.stop();
        }
    }

    @Test
    void configRejectsWhatIsNotSupported() {
        assertThatThrownBy(() -> TlsConfig.builder().protocols("TLSv1.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLSv1.1");
        assertThatThrownBy(() -> TlsConfig.builder().handshakeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> TlsConfig.builder().pem(TlsTestSupport.localhost().certificatePem(),
                TlsTestSupport.localhost().certificatePem()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PKCS#8 private key");
        assertThatThrownBy(() -> TlsConfig.builder().keyStore(TlsTestSupport.localhost().keyStore(), "wrong".toCharArray()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot load key store");
    }
}
